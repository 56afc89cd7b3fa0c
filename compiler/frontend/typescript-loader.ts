// Loads the TypeScript compiler with a V8 code cache. Parsing and compiling typescript.js
// (9 MB) costs about 350 ms per process here; with the cache, about 120 ms. `tsbpf run` is
// measured against bpftrace's start-up, so this matters (bench/RESULTS.md).

import { isAscii } from "node:buffer";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import type * as TS from "typescript";
import { codeCacheFlagsKey } from "../v8-tuning.js";
import { cacheDir, dropOtherVersions, readCached, writeCached } from "../cache-dir.js";

/** V8's code cache for typescript.js is a few MB; a larger file is not one tsbpf wrote. */
const MAX_CODE_CACHE_BYTES = 256 << 20;

let loaded: { ts: typeof TS; script: Script | undefined; cachePath: string | undefined; fresh: boolean; fromCodeCache: boolean } | undefined;

export function typescript(): typeof TS {
  if (loaded) return loaded.ts;
  const req = createRequire(__filename);
  const file = req.resolve("typescript");
  const version = (req("typescript/package.json") as { version: string }).version;
  const flags = codeCacheFlagsKey();
  const dir = cacheDir("v8");
  const cachePath = dir && join(dir, `typescript-${version}-v8-${process.versions.v8}-${flags}.bin`);
  // Code V8 runs in this process (root's, for `tsbpf run`): only a file this user alone wrote.
  const cachedData = cachePath ? readCached(cachePath, MAX_CODE_CACHE_BYTES) : undefined;
  // typescript.js is ASCII: decoding it as latin1 gives the same string 20 ms sooner.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const mod = { exports: {} as typeof TS };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dirname(file));
  const fresh = !cachedData || script.cachedDataRejected === true;
  loaded = { ts: mod.exports, script, cachePath, fresh, fromCodeCache: !fresh };
  return loaded.ts;
}

/**
 * TypeScript as the compiler's start-up snapshot loads it (snapshot/snapshot-entry.ts): a
 * snapshot cannot hold the vm.Script a code cache is made from, and needs none.
 */
export function adoptTypeScript(ts: typeof TS): void {
  loaded ??= { ts, script: undefined, cachePath: undefined, fresh: false, fromCodeCache: false };
}

/** Whether TypeScript was loaded with V8's code cache: this is not the first build under these flags. */
export const typescriptFromCodeCache = (): boolean => loaded?.fromCodeCache === true;

/** After a first compile, V8 has compiled the checker's functions too: keep them for next time. */
export function saveTypeScriptCodeCache(): void {
  if (!loaded?.fresh || !loaded.cachePath || !loaded.script) return;
  writeCached(loaded.cachePath, loaded.script.createCachedData());
  loaded.fresh = false;
  // Caches for other TypeScript or V8 versions are dead weight (3 MB each).
  dropOtherVersions(loaded.cachePath, "typescript-");
}
