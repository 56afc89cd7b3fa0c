// Where tsbpf keeps what it can reuse between runs: compiled objects and V8's code cache for
// the TypeScript compiler. Deleting the folder is always safe.

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(sub: string): string {
  const root = process.env.TSBPF_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "tsbpf");
  return join(root, sub);
}

/** Writes through a temporary name so that a reader never sees half a file. */
export function writeAtomic(path: string, data: Uint8Array | string): void {
  try {
    mkdirSync(join(path, ".."), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written only costs time.
  }
}
