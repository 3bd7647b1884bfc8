// Builds the editor into the two files the server embeds, or (--check) builds them aside and
// fails unless they are byte for byte the committed ones. The build is deterministic: the
// same sources and the locked dependencies give the same bytes.
import * as esbuild from "esbuild";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repository = path.resolve(here, "..");

const outputs = [
  { entry: "src/index.js", file: "crates/web/static/js/rich-editor.js", options: { format: "iife" } },
  { entry: "src/rich-editor.css", file: "crates/web/static/css/rich-editor.css", options: {} },
];

async function buildInto(root) {
  for (const { entry, file, options } of outputs) {
    await esbuild.build({
      absWorkingDir: here,
      entryPoints: [entry],
      outfile: path.join(root, file),
      bundle: true,
      minify: true,
      target: ["es2020"],
      legalComments: "none",
      banner: { [entry.endsWith(".css") ? "css" : "js"]: "/* bbn rich editor, built from editor/ (npm run build); do not edit */" },
      logLevel: "warning",
      ...options,
    });
  }
}

if (process.argv.includes("--check")) {
  const aside = fs.mkdtempSync(path.join(os.tmpdir(), "bbn-rich-editor-"));
  try {
    await buildInto(aside);
    const stale = outputs.filter(({ file }) => {
      const committed = path.join(repository, file);
      return !fs.existsSync(committed) || !fs.readFileSync(committed).equals(fs.readFileSync(path.join(aside, file)));
    });
    for (const { file } of stale) console.error(`${file} is not what editor/ builds: run \`npm run build\` in editor/ and commit it`);
    if (stale.length) process.exit(1);
    console.log(`${outputs.map((o) => o.file).join(" and ")} match the sources`);
  } finally {
    fs.rmSync(aside, { recursive: true, force: true });
  }
} else {
  await buildInto(repository);
  for (const { file } of outputs) console.log(`${file}: ${fs.statSync(path.join(repository, file)).size} bytes`);
}
