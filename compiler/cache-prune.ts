// Keeps the cache from growing without end, as ccache does: each folder is held under a size,
// the least recently used files going first, and the temporary files of writers that were
// killed midway are removed. It runs when a file is written, at most once an hour per folder
// (a stamp file's time says when it last ran), so that a run does not list thousands of files.

import { closeSync, lstatSync, openSync, readdirSync, rmSync, statSync, utimesSync, constants, type Stats } from "node:fs";
import { join } from "node:path";

/** Above this a folder is pruned down to PRUNED_FRACTION of it. */
export const CACHE_FOLDER_MAX_BYTES = 256 << 20;
const PRUNED_FRACTION = 0.75;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** A temporary file this old belongs to a writer that died: replaceFile renames its file within milliseconds. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const STAMP = ".last-prune";
const TEMP = /^\.tsbpf-[0-9a-f]{16}\.tmp$/;
/** The private folder a compiler snapshot is built in (snapshot/compiler-snapshot.ts), left behind by a build that was killed. */
const BUILD_FOLDER = /^\.tsbpf-[0-9a-f]{16}\.build$/;

const prunedThisRun = new Set<string>();

/** Prunes `dir` if it has not been pruned within the hour (by any process). */
export function pruneOccasionally(dir: string, maxBytes = CACHE_FOLDER_MAX_BYTES, now = Date.now()): void {
  if (prunedThisRun.has(dir)) return;
  prunedThisRun.add(dir);
  const stamp = join(dir, STAMP);
  try {
    if (now - statSync(stamp).mtimeMs < PRUNE_EVERY_MS) return;
  } catch {
    // no stamp yet: prune now
  }
  try {
    touch(stamp, now);
    pruneCacheFolder(dir, maxBytes, now);
  } catch {
    // a cache that cannot be pruned only costs disk space
  }
}

/** Removes stale temporary files and snapshot build folders, then the least recently used files until the folder holds at most `maxBytes` × 0.75. */
export function pruneCacheFolder(dir: string, maxBytes: number, now = Date.now()): { removed: string[] } {
  const uid = process.getuid?.() ?? -1;
  const files: { path: string; st: Stats }[] = [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === STAMP) continue;
    const path = join(dir, name);
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      continue; // removed meanwhile
    }
    // Only this user's plain files and build folders: the folder is private, but nothing is followed or trusted blindly.
    if (uid >= 0 && st.uid !== uid) continue;
    if (st.isDirectory() && BUILD_FOLDER.test(name)) {
      if (now - st.mtimeMs > STALE_TEMP_MS && remove(path, true)) removed.push(path);
      continue;
    }
    if (!st.isFile()) continue;
    if (TEMP.test(name)) {
      if (now - st.mtimeMs > STALE_TEMP_MS && remove(path)) removed.push(path);
      continue;
    }
    files.push({ path, st });
  }
  let total = files.reduce((sum, f) => sum + f.st.size, 0);
  if (total <= maxBytes) return { removed };
  const lastUse = (st: Stats) => Math.max(st.atimeMs, st.mtimeMs);
  files.sort((a, b) => lastUse(a.st) - lastUse(b.st));
  for (const f of files) {
    if (total <= maxBytes * PRUNED_FRACTION) break;
    if (remove(f.path)) {
      total -= f.st.size;
      removed.push(f.path);
    }
  }
  return { removed };
}

/** `folder`: a directory and what it holds (links inside are removed, not followed). */
function remove(path: string, folder = false): boolean {
  try {
    rmSync(path, { force: true, recursive: folder });
    return true;
  } catch {
    return false;
  }
}

function touch(path: string, now: number): void {
  closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
  utimesSync(path, now / 1000, now / 1000);
}
