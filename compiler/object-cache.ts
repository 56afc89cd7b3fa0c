// The object cache: a compiled object is reused when nothing that affects it has changed —
// the probe's path and bytes, tsbpf's version and compiler files, the cpu, TSBPF_LIBLLVM.
// A hit loads neither TypeScript nor LLVM (decisions D7).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, writeAtomic } from "./cache-dir.js";
import type { CompileOptions, CompileResult, ParamLayout, ProgramInfo } from "./index.js";
import { packageRoot, packageVersion } from "./paths.js";

let fingerprint: string | undefined;

/** Identifies this build of the compiler and its declarations, from file sizes and times. */
function compilerFingerprint(): string {
  if (fingerprint) return fingerprint;
  const h = createHash("sha256").update(packageVersion);
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (/\.(js|d\.ts)$/.test(e)) h.update(`${path}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  walk(__dirname);
  walk(join(packageRoot, "stdlib"));
  return (fingerprint = h.digest("hex"));
}

/**
 * The key, and the source it was made from: the build compiles that same text, so an object is
 * never stored under the key of a file that changed in between.
 */
export function cacheKey(fileName: string, opts: CompileOptions): { key: string; source: string } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(fileName);
  } catch {
    return undefined; // the uncached path reports the missing file properly
  }
  const key = createHash("sha256")
    .update(compilerFingerprint())
    .update(`\0${fileName}\0${opts.cpu ?? "v3"}\0${process.env.TSBPF_LIBLLVM ?? ""}\0`)
    .update(bytes)
    .digest("hex")
    .slice(0, 32);
  return { key, source: bytes.toString("utf8") };
}

export function readCache(key: string): { object: Buffer; programs: ProgramInfo[]; params: ParamLayout[] } | undefined {
  const dir = cacheDir("objects");
  try {
    const meta = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as { programs: ProgramInfo[]; params: ParamLayout[] };
    return { object: readFileSync(join(dir, `${key}.bpf.o`)), programs: meta.programs, params: meta.params };
  } catch {
    return undefined;
  }
}

export function writeCache(key: string, r: CompileResult): void {
  const dir = cacheDir("objects");
  writeAtomic(join(dir, `${key}.bpf.o`), r.object);
  writeAtomic(join(dir, `${key}.json`), JSON.stringify({ programs: r.programs, params: r.params }));
}
