// The cache is held under a size per folder, least recently used first, and writers' temporary
// files are removed once they are stale; other users' files and links are left alone.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pruneCacheFolder, pruneOccasionally } from "../../compiler/cache-prune.js";

const HOUR = 3600 * 1000;
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tsbpf-prune-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file of `kb` KiB last used `ageHours` ago. */
function file(name: string, kb: number, ageHours: number, now: number): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(kb * 1024));
  const t = (now - ageHours * HOUR) / 1000;
  utimesSync(path, t, t);
  return path;
}

test("over the limit, the least recently used files go until three quarters of it are left", () => {
  const now = Date.now();
  const oldest = file("a.bpf.o", 400, 50, now);
  const old = file("a.json", 400, 40, now);
  const recent = file("b.bpf.o", 400, 2, now);
  const newest = file("b.json", 400, 1, now);
  const { removed } = pruneCacheFolder(dir, 1200 * 1024, now);
  expect(removed.sort()).toEqual([old, oldest].sort());
  expect([existsSync(recent), existsSync(newest)]).toEqual([true, true]);
});

test("under the limit nothing goes but stale temporary files; fresh ones (a writer at work) stay", () => {
  const now = Date.now();
  const kept = file("c.bpf.o", 10, 1000, now);
  const stale = file(".tsbpf-0123456789abcdef.tmp", 1, 2, now);
  const fresh = file(".tsbpf-fedcba9876543210.tmp", 1, 0, now);
  expect(pruneCacheFolder(dir, 1 << 30, now).removed).toEqual([stale]);
  expect([existsSync(kept), existsSync(fresh)]).toEqual([true, true]);
});

test("a snapshot build folder left by a killed build goes once stale, with what it holds; a fresh one (a build at work) and other folders stay", () => {
  const now = Date.now();
  const folder = (name: string, ageHours: number) => {
    const path = join(dir, name);
    mkdirSync(path, { mode: 0o700 });
    writeFileSync(join(path, "compiler.blob"), "partial");
    const t = (now - ageHours * HOUR) / 1000;
    utimesSync(path, t, t);
    return path;
  };
  const stale = folder(".tsbpf-0123456789abcdef.build", 2);
  const fresh = folder(".tsbpf-fedcba9876543210.build", 0);
  const other = folder("kernel", 5);
  expect(pruneCacheFolder(dir, 1 << 30, now).removed).toEqual([stale]);
  expect([existsSync(stale), existsSync(fresh), existsSync(other)]).toEqual([false, true, true]);
});

test("links are not followed or removed", () => {
  const now = Date.now();
  const outside = mkdtempSync(join(tmpdir(), "tsbpf-prune-outside-"));
  try {
    const target = join(outside, "precious");
    writeFileSync(target, Buffer.alloc(4096));
    symlinkSync(target, join(dir, "x.bpf.o"));
    file("y.bpf.o", 8, 5, now);
    expect(pruneCacheFolder(dir, 1024, now).removed).toEqual([join(dir, "y.bpf.o")]);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(join(dir, "x.bpf.o"))).toBe(true);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test("a folder is pruned at most once an hour, whichever process looked last", () => {
  const now = Date.now();
  const stale = file(".tsbpf-0123456789abcdef.tmp", 1, 3, now);
  writeFileSync(join(dir, ".last-prune"), "");
  utimesSync(join(dir, ".last-prune"), (now - 0.5 * HOUR) / 1000, (now - 0.5 * HOUR) / 1000);
  pruneOccasionally(dir, 1 << 30, now);
  expect(existsSync(stale)).toBe(true); // pruned half an hour ago
  const later = now + HOUR;
  const other = mkdtempSync(join(tmpdir(), "tsbpf-prune-"));
  try {
    // Another folder whose stamp is two hours old is pruned, and the stamp renewed.
    writeFileSync(join(other, ".tsbpf-00000000000000aa.tmp"), "");
    utimesSync(join(other, ".tsbpf-00000000000000aa.tmp"), (now - 3 * HOUR) / 1000, (now - 3 * HOUR) / 1000);
    writeFileSync(join(other, ".last-prune"), "");
    utimesSync(join(other, ".last-prune"), (now - 2 * HOUR) / 1000, (now - 2 * HOUR) / 1000);
    pruneOccasionally(other, 1 << 30, later);
    expect(existsSync(join(other, ".tsbpf-00000000000000aa.tmp"))).toBe(false);
    expect(Math.round(statSync(join(other, ".last-prune")).mtimeMs / 1000)).toBe(Math.round(later / 1000));
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
