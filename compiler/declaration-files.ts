// tsbpf's declaration files: what `import … from "tsbpf"` is made of. They are the .d.ts files
// in the package's stdlib/ (index.d.ts re-exports the others) and those a generator has written
// to the cache's types/ folder (kernel types, later), which add to the "tsbpf" module
// (`declare module "tsbpf" { … }`). A declaration in any of them is tsbpf's: the compiler lowers
// it as a builtin. stdlib/lib.d.ts is not one: it stands in for JavaScript's own lib (Array,
// String, …), whose names must never be mistaken for tsbpf's helpers (decisions D65).
// No TypeScript here: a cached run fingerprints these files without loading it.

import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { cacheDir, readCached } from "./cache-dir.js";
import { packageRoot } from "../contract/paths.js";

export const stdlibDir = join(packageRoot, "stdlib");
export const stdlibIndex = join(stdlibDir, "index.d.ts");
export const stdlibLib = join(stdlibDir, "lib.d.ts");

/** Generated declarations: a kernel's types run to megabytes, more is not a declaration file. */
const MAX_GENERATED_BYTES = 64 << 20;

/** The cache's folder of generated declarations, if there is one this user alone can write. */
export function generatedDeclarationsDir(): string | undefined {
  return cacheDir("types", { create: false });
}

const isIn = (dir: string | undefined, file: string): boolean => dir !== undefined && file.startsWith(dir + sep) && !file.includes(`${sep}..${sep}`);

/** Whether `file` (absolute) names one of tsbpf's declaration files, whether or not it exists. */
export function isTsbpfDeclarationFile(file: string): boolean {
  return file.endsWith(".d.ts") && file !== stdlibLib && (isIn(stdlibDir, file) || isIn(generatedDeclarationsDir(), file));
}

/** Whether a declaration (a TypeScript node) is tsbpf's. */
export const isTsbpfDeclaration = (decl: { getSourceFile(): { fileName: string } } | undefined): boolean =>
  decl !== undefined && isTsbpfDeclarationFile(decl.getSourceFile().fileName);

/** Whether `file` is (or would be) in the cache's folder of generated declarations. */
export const isGeneratedDeclarationFile = (file: string): boolean => isIn(generatedDeclarationsDir(), file);

/** The generated declaration files present now, sorted: each joins every probe's program. */
export function generatedDeclarationFiles(): string[] {
  const dir = generatedDeclarationsDir();
  if (!dir) return [];
  try {
    return readdirSync(dir)
      .filter((e) => e.endsWith(".d.ts"))
      .sort()
      .map((e) => join(dir, e));
  } catch {
    return [];
  }
}

/**
 * The text of a tsbpf declaration file (or of stdlib/lib.d.ts), or undefined if there is none.
 * A generated one is read as any cache file is: only if this user alone can have written it.
 */
export function readDeclarationFile(file: string): string | undefined {
  if (isGeneratedDeclarationFile(file)) return readCached(file, MAX_GENERATED_BYTES)?.toString("utf8");
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
