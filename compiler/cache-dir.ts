// Where tsbpf keeps what it can reuse between runs: compiled objects and V8's code cache for
// the TypeScript compiler. Deleting the folder is always safe. A cache that another user could
// have written (root under `sudo -E` with a user's HOME), or that cannot be used at all, is
// skipped after one warning: it only ever costs time (decisions D35).

import { accessSync, constants, existsSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pruneOccasionally } from "./cache-prune.js";
import { errnoCode, makePrivateDirectory, notOwnDirectory, openOwnFile, readOwnFile, replaceFile, unsafeAncestry, UntrustedFile } from "./trusted-files.js";

/** Where the cache goes, and the directory above it that must already exist (tsbpf creates the rest). */
interface Location {
  root: string;
  existing: string;
  existingName: string;
  /** Why it cannot be used before anything is looked at. */
  refused?: string;
}

/** The cache root, or why it is not used (where, and the reason: warned about once, when first asked loudly). */
let root: { path: string } | { refused: { at: string; reason: string } } | undefined;
/** Each folder asked for: its path, or why it is not used. */
const subdirs = new Map<string, { path?: string; refused?: { at: string; reason: string } }>();
let warned = false;

function location(): Location {
  const explicit = process.env.TSBPF_CACHE_DIR;
  if (explicit) {
    const path = resolve(explicit);
    return { root: path, existing: dirname(path), existingName: dirname(path) };
  }
  // XDG: an empty or relative XDG_CACHE_HOME is ignored.
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return { root: join(xdg, "tsbpf"), existing: dirname(resolve(xdg)), existingName: dirname(resolve(xdg)) };
  let home = "";
  try {
    home = homedir();
  } catch {
    // no HOME and no passwd entry
  }
  const root = join(home, ".cache", "tsbpf");
  const existingName = `HOME (${home})`;
  if (!isAbsolute(home)) return { root, existing: home, existingName, refused: "HOME is not set to an absolute path" };
  return { root, existing: home, existingName };
}

const WARNING = "tsbpf: warning: not using the cache at ";

/** The first reason the cache is not used is printed; later ones would say nothing new. */
function warn(at: string, reason: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`${WARNING}${at}: ${reason} (point TSBPF_CACHE_DIR at a directory only you can write to)\n`);
}

/**
 * What another tsbpf process working for this one (the compiler's, snapshot/) wrote to stderr,
 * passed on as if this process had written it: its warning about the cache only if this
 * process has given none, and then none of this process's own.
 */
export function relayStderr(text: string): void {
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith(WARNING)) {
      if (warned) continue;
      warned = true;
    }
    process.stderr.write(line);
  }
}

/**
 * Forgets where the cache is and what was warned about: a process started from a snapshot
 * finds its own (the snapshot's builder looked too, in its own environment).
 */
export function forgetCacheDir(): void {
  root = undefined;
  subdirs.clear();
  warned = false;
}

/**
 * The cache root, created 0700 a component at a time below a directory that must exist (HOME
 * for the default ~/.cache/tsbpf: a service user's HOME=/nonexistent is not created), or why
 * it cannot be used.
 */
function openRoot(): { path: string } | { refused: { at: string; reason: string } } {
  if (root) return root;
  const at = location();
  const refuse = (reason: string) => (root = { refused: { at: at.root, reason } });
  if (at.refused) return refuse(at.refused);
  let dir: string;
  try {
    dir = realpathSync(at.existing);
  } catch (e) {
    const what = at.existingName;
    return refuse(errnoCode(e) === "ENOENT" ? `${what} does not exist` : `cannot resolve ${what} (${errnoCode(e)})`);
  }
  // Each step is checked before tsbpf creates anything in it: no one else may be able to swap it.
  for (const name of relative(at.existing, at.root).split(sep).filter(Boolean)) {
    const unsafe = unsafeAncestry(dir);
    if (unsafe) return refuse(unsafe);
    const next = join(dir, name);
    try {
      makePrivateDirectory(next);
      dir = realpathSync(next);
    } catch (e) {
      return refuse(`cannot create ${next} (${errnoCode(e)})`);
    }
  }
  const unsafe = unsafeAncestry(dirname(dir)) ?? notOwnDirectory(dir) ?? notWritable(dir);
  if (unsafe) return refuse(unsafe);
  return (root = { path: dir });
}

function notWritable(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (e) {
    return `${dir} is not writable (${errnoCode(e)})`;
  }
}

/**
 * The cache's folder `sub`, private to this user, or undefined when the cache is not used.
 * With `create: false`, undefined also when the folder does not exist (yet): looking for files
 * that only a generator writes leaves no empty folder behind. With `quiet`, a cache that cannot
 * be used is not warned about (yet): for what only ever saves time in every command (tsbpf's own
 * code, D155), where `tsbpf --help` should not warn about a cache it does not otherwise use.
 */
export function cacheDir(sub: "objects" | "v8" | "types" | "kernel", { create = true, quiet = false } = {}): string | undefined {
  let known = subdirs.get(sub);
  if (!known || (create && !known.path && !known.refused)) {
    known = openSubdir(sub, create);
    subdirs.set(sub, known);
  }
  if (known.refused && !quiet) warn(known.refused.at, known.refused.reason);
  return known.path;
}

function openSubdir(sub: string, create: boolean): { path?: string; refused?: { at: string; reason: string } } {
  const top = openRoot();
  if ("refused" in top) return { refused: top.refused };
  const dir = join(top.path, sub);
  let unsafe: string | undefined;
  try {
    if (create) makePrivateDirectory(dir);
    else if (!existsSync(dir)) return {};
    unsafe = notOwnDirectory(dir);
  } catch (e) {
    unsafe = `cannot create ${dir} (${errnoCode(e)})`;
  }
  return unsafe ? { refused: { at: top.path, reason: unsafe } } : { path: dir };
}

/** A cached file's bytes if this user alone wrote it; undefined (after a warning) if not. */
export function readCached(path: string, maxBytes: number): Buffer | undefined {
  return trusted(path, () => readOwnFile(path, maxBytes));
}

/** A cached file opened for reading (the caller closes it) if this user alone wrote it; undefined (after a warning) if not. */
export function openCached(path: string, maxBytes: number): number | undefined {
  return trusted(path, () => openOwnFile(path, maxBytes)?.fd);
}

function trusted<T>(path: string, use: () => T): T | undefined {
  try {
    return use();
  } catch (e) {
    if (!(e instanceof UntrustedFile)) throw e;
    warn(dirname(dirname(path)), e.message);
    return undefined;
  }
}

/** Stores a file in the cache, 0600; a cache that cannot be written only costs time. */
export function writeCached(path: string, data: Uint8Array | string): void {
  pruneOccasionally(dirname(path));
  try {
    replaceFile(path, data, 0o600);
  } catch (e) {
    warn(dirname(dirname(path)), `cannot write ${path} (${errnoCode(e) ?? e})`);
  }
}

/**
 * Removes the cache files beside `path` of its family (names starting with `family`) made for
 * other versions: those whose names differ from its before the flags key (`-xxxxxxxx.ext`, the
 * last part). Other versions' are dead weight (megabytes each); other flags' are not: two ways of
 * starting node would otherwise delete each other's.
 */
export function dropOtherVersions(path: string, family: string): void {
  const dir = dirname(path);
  const current = basename(path).replace(/-[0-9a-f]{8}\.[a-z]+$/, "-");
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // the cache was deleted meanwhile: nothing to tidy
  }
  dropCached(...names.filter((f) => f.startsWith(family) && !f.startsWith(current)).map((f) => join(dir, f)));
}

/** Removes cached files that are not what they should be; the next write replaces them anyway. */
export function dropCached(...paths: string[]): void {
  for (const p of paths) {
    try {
      rmSync(p, { force: true });
    } catch {
      // a directory planted under the name: the write that follows fails and warns
    }
  }
}
