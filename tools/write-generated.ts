// Writes a generated source file whole: a temporary file of a random name beside it, then a rename.

import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

export function writeGenerated(path: string, text: string | Uint8Array): void {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, text, { flag: "wx" });
  renameSync(temp, path);
  process.stderr.write(`wrote ${path}\n`);
}
