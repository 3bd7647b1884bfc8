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

/** The npm packages whose code went into a build, with version and licence, for its banner. */
function bundledPackages(metafile) {
  const names = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const found = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (found) names.add(found[1]);
  }
  return [...names].sort().map((name) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(here, "node_modules", name, "package.json"), "utf8"));
    return `${name} ${manifest.version} (${manifest.license})`;
  });
}

async function buildInto(root) {
  for (const { entry, file, options } of outputs) {
    const result = await esbuild.build({
      absWorkingDir: here,
      entryPoints: [entry],
      outfile: path.join(root, file),
      bundle: true,
      minify: true,
      target: ["es2020"],
      legalComments: "none",
      metafile: true,
      write: false,
      logLevel: "warning",
      ...options,
    });
    const banner =
      "/* bbn rich editor, built from editor/ by `npm run build`: do not edit. " +
      `Bundled packages (their licence texts come with each package): ${bundledPackages(result.metafile).join(", ")}. */\n`;
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), banner + result.outputFiles[0].text);
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
