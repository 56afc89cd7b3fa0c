// V8's code cache for tsbpf's own modules, in the `tsbpf` command only (bin/tsbpf installs it
// before anything else loads). Node 20 compiles every CommonJS module from its source in every
// process (Node 22's module.enableCompileCache is the built-in form of this): a cached run loads
// about 80 of tsbpf's modules, a build about 160 (850 KB), and compiling them cost 15–30 ms of a
// run (D155). The cache is code that V8 runs: it is one file in the trusted cache folder
// (cache-dir.ts: this user's alone, not writable by others), named for this installation, this
// Node and its flags, and each module's entry is used only for the exact text it was made from.
// Anything amiss (no cache, a refused or corrupt file, an entry V8 rejects) only means that
// module compiles from its source as before.

import { createHash } from "node:crypto";
import Module from "node:module";
import { lstatSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Script } from "node:vm";
import { cacheDir, dropOtherVersions, readCached, writeCached } from "./cache-dir.js";
import { packageRoot, packageVersion } from "../contract/paths.js";
import { codeCacheFlagsKey, runtimeV8Flags } from "./v8-tuning.js";

/** A cache of all of tsbpf's modules is about 1 MB; a larger file is not one tsbpf wrote. */
const MAX_CACHE_BYTES = 64 << 20;
const MAGIC = "tsbpf module code cache 1\n";

/** One module's code cache, for the text whose hash it carries. */
export interface ModuleEntry {
  /** The module's path below the root given to cacheOwnModules. */
  file: string;
  hash: string;
  data: Buffer;
}

/** The file's bytes: MAGIC, the index's length (u32 LE), the index (JSON), then each entry's data in order. */
export function encodeModuleCache(entries: readonly ModuleEntry[]): Buffer {
  const index = Buffer.from(JSON.stringify(entries.map((e) => ({ file: e.file, hash: e.hash, length: e.data.length }))));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(index.length);
  return Buffer.concat([Buffer.from(MAGIC), length, index, ...entries.map((e) => e.data)]);
}

/** The entries of a cache file, by module; empty for anything that is not one whole (a cache only saves time). */
export function decodeModuleCache(bytes: Buffer | undefined): Map<string, ModuleEntry> {
  const entries = new Map<string, ModuleEntry>();
  if (!bytes || bytes.length < MAGIC.length + 4 || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) return entries;
  const indexStart = MAGIC.length + 4;
  const indexEnd = indexStart + bytes.readUInt32LE(MAGIC.length);
  let index: unknown;
  try {
    index = JSON.parse(bytes.toString("utf8", indexStart, Math.min(indexEnd, bytes.length)));
  } catch {
    return entries;
  }
  if (!Array.isArray(index)) return entries;
  let at = indexEnd;
  for (const e of index as { file?: unknown; hash?: unknown; length?: unknown }[]) {
    if (typeof e?.file !== "string" || typeof e.hash !== "string" || !Number.isSafeInteger(e.length) || (e.length as number) < 0) return new Map();
    const end = at + (e.length as number);
    if (end > bytes.length) return new Map();
    entries.set(e.file, { file: e.file, hash: e.hash, data: bytes.subarray(at, end) });
    at = end;
  }
  return at === bytes.length ? entries : new Map();
}

/** Node's CommonJS module object, as far as compiling one goes (Module.prototype._compile). */
interface CommonJsModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}

const textHash = (content: string): string => createHash("sha1").update(content).digest("base64");

/**
 * From here on, the modules below `root` (tsbpf's: dist/) compile with V8's code cache; the cache
 * is written at exit when a module had none (or V8 rejected it). A cache folder that cannot be
 * used is not warned about: a command that does not otherwise use the cache does not mention it.
 */
export function cacheOwnModules(root = join(packageRoot, "dist")): void {
  const below = root + sep;
  // One file per installation (two checkouts hold different modules under the same names), per
  // Node (its V8 and its wrapper) and per flag set (V8 rejects a cache made under other flags).
  const installation = createHash("sha1").update(root).digest("hex").slice(0, 8);
  const prefix = `modules-${installation}-`;
  const name = `${prefix}${packageVersion}-node-${process.versions.node}-${codeCacheFlagsKey()}.bin`;
  const dir = cacheDir("v8", { create: false, quiet: true });
  const stored = decodeModuleCache(dir ? readCached(join(dir, name), MAX_CACHE_BYTES) : undefined);
  const compiled: { file: string; hash: string; script: Script }[] = [];
  let stale = false;
  const proto = (Module as unknown as { prototype: CommonJsModule }).prototype;
  const compileFromSource = proto._compile;
  proto._compile = function (this: CommonJsModule, content: string, filename: string): unknown {
    // A module loaded while a build has switched TurboFan off (v8-tuning.ts) would carry other flags.
    if (!filename.startsWith(below) || runtimeV8Flags().length) return compileFromSource.call(this, content, filename);
    const file = relative(root, filename);
    const hash = textHash(content);
    const entry = stored.get(file);
    const cachedData = entry?.hash === hash ? entry.data : undefined;
    // The same wrapper Node gives a CommonJS module (Module.wrap), so that a cache made from one text fits the next.
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${content}\n});`, { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) stale = true;
    compiled.push({ file, hash, script });
    const mod = this;
    const req = Object.assign((id: string) => mod.require(id), {
      resolve: Object.assign((request: string, options?: { paths?: string[] }) => Module.createRequire(filename).resolve(request, options), {
        paths: (request: string) => Module.createRequire(filename).resolve.paths(request),
      }),
      main: require.main,
      cache: require.cache,
      extensions: require.extensions,
    });
    return (script.runInThisContext() as (...args: unknown[]) => unknown).call(mod.exports, mod.exports, req, mod, filename, dirname(filename));
  };
  resolveOwnModulesDirectly(below);
  // At exit each script holds every function the run compiled: the next run needs those too.
  process.once("exit", () => {
    if (!stale || runtimeV8Flags().length) return;
    const saveDir = cacheDir("v8", { quiet: true });
    if (!saveDir) return;
    const fresh = new Map(compiled.map((c) => [c.file, { file: c.file, hash: c.hash, data: c.script.createCachedData() }]));
    // Modules this run did not load keep their entries: a cached run loads half of a build's.
    writeCached(join(saveDir, name), encodeModuleCache([...[...stored.values()].filter((e) => !fresh.has(e.file)), ...fresh.values()]));
    dropOtherVersions(join(saveDir, name), prefix);
  });
}

/**
 * `require("./x.js")` from one of tsbpf's modules is the file beside it: resolved here, without
 * Node's search (a stat and realpath of each candidate, a package.json for each folder above,
 * 0.15 ms a module: 13 ms of a cached run's 89). Anything else, or a name that is not a regular
 * file there (a link, nothing), goes Node's way.
 */
function resolveOwnModulesDirectly(below: string): void {
  const loader = Module as unknown as { _resolveFilename(request: string, parent: { filename?: string } | undefined, ...rest: unknown[]): string };
  const resolveByNode = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, ...rest) {
    const from = parent?.filename;
    if (from?.startsWith(below) && /^\.\.?\/[^]*\.js$/.test(request) && rest[1] === undefined) {
      const file = resolve(dirname(from), request);
      if (file.startsWith(below) && lstatSync(file, { throwIfNoEntry: false })?.isFile()) return file;
    }
    return resolveByNode.call(this, request, parent, ...rest);
  };
}
