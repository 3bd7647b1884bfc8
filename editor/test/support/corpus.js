// The clipboard captures in ../shared/testdata/paste beside the repository (see
// ../shared/testdata/SOURCES.md): read from there, never copied into the project.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const PASTE_ROOT = path.resolve(repository, "../shared/testdata/paste");

/** Every capture as { name: "word/…html", source: "word" | "gdocs", html }. */
export function pasteCaptures() {
  if (!fs.existsSync(PASTE_ROOT)) {
    throw new Error(`the paste captures are missing: expected them in ${PASTE_ROOT} (../shared/testdata beside the repository)`);
  }
  return ["gdocs", "word"].flatMap((source) =>
    fs
      .readdirSync(path.join(PASTE_ROOT, source))
      .filter((f) => f.endsWith(".html"))
      .sort()
      .map((f) => ({ name: `${source}/${f}`, source, html: fs.readFileSync(path.join(PASTE_ROOT, source, f), "utf8") })),
  );
}
