// `npm ci`'s warm-up (tools/warm-caches.ts, D198): afterwards the user's first build starts from
// the compiler's snapshot; a cache it cannot use leaves nothing behind and does not fail the install.
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { privateFolders } from "../helpers/private-folders.js";
import { repo, tsbpf } from "../helpers/tsbpf-command.js";

const NOBODY = 65534;
const WARM_UP = repo("dist", "tools", "warm-caches.js");
/** A folder of root's (0700 in /tmp) to put a cache in. */
const privateFolder = privateFolders("tsbpf-warm-up-test-");

const warmUp = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [WARM_UP], { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: undefined, INIT_CWD: undefined, ...env }, timeout: 180_000 });
const snapshots = (cache: string) => readdirSync(join(cache, "v8")).filter((n) => /^compiler-.*\.blob$/.test(n));

test("after the warm-up, the first build of a fresh cache runs in the compiler's snapshot", () => {
  const cache = join(privateFolder(), "cache");
  const r = warmUp({ TSBPF_CACHE_DIR: cache });
  expect([r.status, r.stdout, r.stderr]).toEqual([0, "tsbpf: warmed this user's caches: the first `tsbpf run` starts as later ones do\n", ""]);
  expect(snapshots(cache)).toHaveLength(1);
  const first = tsbpf(["build", repo("examples", "hello-syncfs.ts"), "-o", "/dev/null", "--timings"], { env: { TSBPF_CACHE_DIR: cache, XDG_CACHE_HOME: undefined } });
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(/timings: .*snapshot \d/);
});

test("a cache that is another user's: one line says nothing was warmed, the install goes on, nothing is written", () => {
  const theirs = join(privateFolder(), "theirs");
  mkdirSync(theirs, { mode: 0o700 });
  chownSync(theirs, NOBODY, NOBODY);
  const r = warmUp({ TSBPF_CACHE_DIR: theirs });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^tsbpf: this user's caches were not warmed \(not using the cache at .*theirs.*\); the first runs make them\n$/);
  expect(readdirSync(theirs)).toEqual([]);
});

test("npm preparing tsbpf in another folder than the one it was started in (a git dependency) warms nothing", () => {
  const cache = join(privateFolder(), "cache");
  const r = warmUp({ TSBPF_CACHE_DIR: cache, INIT_CWD: privateFolder() });
  expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
  expect(() => readdirSync(cache)).toThrow(/ENOENT/);
  expect(warmUp({ TSBPF_CACHE_DIR: cache, INIT_CWD: repo() }).stdout).toMatch(/^tsbpf: warmed this user's caches/);
});

test("TSBPF_NO_WARM_UP leaves the cache alone", () => {
  const cache = join(privateFolder(), "cache");
  const r = warmUp({ TSBPF_CACHE_DIR: cache, TSBPF_NO_WARM_UP: "1" });
  expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
  expect(() => readdirSync(cache)).toThrow(/ENOENT/);
});
