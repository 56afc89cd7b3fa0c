// Kept failure cases (test/fuzz/corpus/*.ts): each a file that once made tsbpf fail, named by
// the hash of its text, with a header saying where it came from, what failure it showed and the
// build options it needs. Every case is replayed in every run (test/e2e/fuzz.test.ts).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../contract/paths.js";

export const CORPUS_DIR = join(packageRoot, "test", "fuzz", "corpus");

export interface Case {
  path: string;
  parts?: number;
  /** The failure class it was kept for. */
  cls: string;
}

export interface NewCase {
  /** Where it came from, e.g. `seed 123, mutant 45 of examples/pid-facts.ts`. */
  origin: string;
  cls: string;
  text: string;
  parts?: number;
}

const OPTIONS = "// options: ";
const CLASS = "// class: ";

/** Writes a case unless one with the same text is kept already; returns its path. */
export function saveCase(c: NewCase, dir = CORPUS_DIR): string {
  const options = JSON.stringify(c.parts ? { parts: c.parts } : {});
  const body = `${OPTIONS}${options}\n${c.text}`;
  const path = join(dir, `${createHash("sha256").update(body).digest("hex").slice(0, 16)}.ts`);
  const header = `// tsbpf fuzz case (test/fuzz/README.md): ${c.origin}\n${CLASS}${c.cls.replace(/\n/g, " ")}\n`;
  try {
    writeFileSync(path, header + body, { flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return path;
}

export function readCases(dir = CORPUS_DIR): Case[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const header = readFileSync(path, "utf8").split("\n", 3);
      const options = header.find((l) => l.startsWith(OPTIONS));
      const parts = options ? (JSON.parse(options.slice(OPTIONS.length)) as { parts?: number }).parts : undefined;
      return { path, parts, cls: header.find((l) => l.startsWith(CLASS))?.slice(CLASS.length) ?? "" };
    });
}
