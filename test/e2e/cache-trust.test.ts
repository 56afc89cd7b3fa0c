// The cache is a trust boundary (decisions D35): root never loads an object, nor runs a V8
// code cache, that another user could have planted, and never writes through their symlinks;
// a cache that cannot be used costs one warning line and the build goes on; what tsbpf creates
// is private whatever the umask; a corrupt cached object is rebuilt.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { compile } from "../../compiler/compile.js";
import { cacheKey } from "../../compiler/object-cache.js";
import { expectNoStack, repo, TSBPF, tsbpf, type Finished } from "../helpers/tsbpf-command.js";

const NOBODY = 65534;
const HELLO = repo("examples/hello-syncfs.ts");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh directory under /tmp, owned by `uid`. */
function tempDir(uid = 0, mode = 0o755): string {
  const d = mkdtempSync("/tmp/tsbpf-cache-test-");
  dirs.push(d);
  chmodSync(d, mode);
  chownSync(d, uid, uid);
  return d;
}

/** The environment of a user whose cache would be `~/.cache/tsbpf` under `home`. */
const withHome = (home: string): NodeJS.ProcessEnv => ({ HOME: home, TSBPF_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined });
const withCache = (dir: string): NodeJS.ProcessEnv => ({ TSBPF_CACHE_DIR: dir, XDG_CACHE_HOME: undefined });

const warnings = (r: Finished) => r.stderr.split("\n").filter((l) => l.startsWith("tsbpf: warning:"));
/** A cached object was used: the only phase timed is the cache's. */
const builtFresh = (r: Finished) => /timings: .*typescript/.test(r.stderr);

const runHello = (env: NodeJS.ProcessEnv, user?: number) => tsbpf(["run", HELLO, "--duration", "0", "--timings"], { env, user });
const buildHello = (env: NodeJS.ProcessEnv, user?: number, out = "/dev/null") => tsbpf(["build", HELLO, "-o", out], { env, user });

/** Every entry below `dir` with its owner, mode, size, time and link target: to see that nothing changed. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      out.push(`${relative(dir, p)} uid=${st.uid} mode=${(st.mode & 0o7777).toString(8)} size=${st.size} mtime=${st.mtimeMs}${st.isSymbolicLink() ? ` -> ${readlinkSync(p)}` : ""}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function chownTree(dir: string, uid: number): void {
  lchownSync(dir, uid, uid);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) chownTree(p, uid);
    else lchownSync(p, uid, uid);
  }
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The name V8's code cache for typescript.js has when `bin/tsbpf` builds a small file (TurboFan off: compiler/v8-tuning.ts). */
function codeCacheName(): string {
  const version = (require("typescript/package.json") as { version: string }).version;
  const flags = createHash("sha1").update(`--no-opt|${process.env.NODE_OPTIONS ?? ""}`).digest("hex").slice(0, 8);
  return `typescript-${version}-v8-${process.versions.v8}-${flags}.bin`;
}

/**
 * What a hostile user plants in a cache: another probe's object (attached to sys_enter_getppid),
 * with a valid index, under the key of examples/hello-syncfs.ts; and symbolic links, at the
 * code cache's name and at a temporary-looking name, to a file of root's.
 */
function plant(cache: string, victim: string): void {
  const dir = tempDir();
  const source = join(dir, "planted.ts");
  writeFileSync(source, 'import { tracepoint, printk } from "tsbpf";\nexport const planted = tracepoint("syscalls/sys_enter_getppid", () => {\n  printk("planted");\n});\n');
  const planted = compile(source, { cache: false });
  const key = cacheKey(HELLO, {})!.key;
  mkdirSync(join(cache, "objects"), { recursive: true });
  mkdirSync(join(cache, "v8"), { recursive: true });
  writeFileSync(join(cache, "objects", `${key}.bpf.o`), planted.object);
  writeFileSync(join(cache, "objects", `${key}.json`), JSON.stringify({ sha256: sha256(planted.object), programs: planted.programs, params: planted.params, maps: planted.maps }));
  symlinkSync(victim, join(cache, "v8", codeCacheName()));
  symlinkSync(victim, join(cache, "objects", `${key}.bpf.o.tmp`));
}

function victimFile(): string {
  const victim = join(tempDir(0, 0o700), "precious");
  writeFileSync(victim, "precious\n");
  return victim;
}

describe("a cache another user could have written", () => {
  test("root with HOME in another user's directory (sudo -E) loads nothing planted there, writes nothing, and warns once", () => {
    const home = tempDir(NOBODY);
    const victim = victimFile();
    plant(join(home, ".cache", "tsbpf"), victim);
    chownTree(home, NOBODY);
    const before = snapshot(home);

    const r = runHello(withHome(home));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Attached 1 program (tracepoint:syscalls/sys_enter_syncfs)");
    expect(r.stderr).not.toContain("getppid");
    expect(builtFresh(r)).toBe(true);
    expect(warnings(r)).toEqual([`tsbpf: warning: not using the cache at ${home}/.cache/tsbpf: ${home} is owned by uid ${NOBODY}, who could replace what is in it (point TSBPF_CACHE_DIR at a directory only you can write to)`]);
    expect(snapshot(home)).toEqual(before);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expectNoStack(r.stderr);
  });

  test("the same planted cache, were it root's own, would be loaded (so the test above can fail)", () => {
    const cache = join(tempDir(0, 0o700), "cache");
    plant(cache, victimFile());
    const r = runHello(withCache(cache));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Attached 1 program (tracepoint:syscalls/sys_enter_getppid)");
    expect(builtFresh(r)).toBe(false);
  });

  test("a cache directory owned by another user, or writable by others, is not used", () => {
    const theirs = tempDir(NOBODY, 0o700);
    const r = buildHello(withCache(theirs));
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining(`not using the cache at ${theirs}: ${theirs} is owned by uid ${NOBODY}, not by uid 0`)]);
    expect(readdirSync(theirs)).toEqual([]);

    const open = tempDir(0, 0o777);
    const r2 = buildHello(withCache(open));
    expect(r2.code).toBe(0);
    expect(warnings(r2)).toEqual([expect.stringContaining(`${open} is writable by other users (mode 777)`)]);
    expect(readdirSync(open)).toEqual([]);
  });

  test("nothing is created inside a directory another user owns", () => {
    const theirs = tempDir(NOBODY);
    const r = buildHello(withCache(join(theirs, "cache")));
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining(`${theirs} is owned by uid ${NOBODY}`)]);
    expect(readdirSync(theirs)).toEqual([]);
  });

  test("in one's own cache, a symbolic link is neither read nor written through, and another user's file is not read", () => {
    const cache = join(tempDir(0, 0o700), "cache");
    expect(buildHello(withCache(cache)).code).toBe(0);
    const codeCache = join(cache, "v8", codeCacheName());
    expect(lstatSync(codeCache).isFile()).toBe(true);

    // A code cache that is another user's: V8 would run what it holds.
    writeFileSync(codeCache, "planted code");
    chownSync(codeCache, NOBODY, NOBODY);
    const r = buildHello(withCache(cache));
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining(`${codeCache} is owned by uid ${NOBODY}, not by uid 0`)]);
    // ... replaced by root's own, 0600.
    expect(lstatSync(codeCache)).toMatchObject({ uid: 0, mode: 0o100600 });

    const victim = victimFile();
    rmSync(codeCache);
    symlinkSync(victim, codeCache);
    const r2 = buildHello(withCache(cache));
    expect(r2.code).toBe(0);
    expect(warnings(r2)).toEqual([expect.stringContaining(`${codeCache} is a symbolic link`)]);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(codeCache).isFile()).toBe(true);
  });
});

describe("a cache that cannot be used", () => {
  test("an unprivileged user with HOME=/nonexistent builds with at most one warning and creates nothing; run asks for privileges", () => {
    expect(existsSync("/nonexistent")).toBe(false);
    const out = join(tempDir(NOBODY), "hello.bpf.o");
    const r = buildHello(withHome("/nonexistent"), NOBODY, out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`tsbpf: wrote ${out}`);
    expect(warnings(r).length).toBeLessThanOrEqual(1);
    expect(lstatSync(out)).toMatchObject({ uid: NOBODY });
    expectNoStack(r.stderr);

    const run = tsbpf(["run", HELLO], { env: withHome("/nonexistent"), user: NOBODY });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^permission: error: not permitted to load BPF programs/m);
    expect(warnings(run).length).toBeLessThanOrEqual(1);
    expectNoStack(run.stderr);
    expect(existsSync("/nonexistent")).toBe(false);
  });

  test("root with HOME=/nonexistent does not create that path", () => {
    const r = buildHello(withHome("/nonexistent"));
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining("HOME (/nonexistent) does not exist")]);
    expect(existsSync("/nonexistent")).toBe(false);
  });

  test.each([
    ["TSBPF_CACHE_DIR=/proc/x", { TSBPF_CACHE_DIR: "/proc/x" }, "cannot create /proc/x"],
    ["XDG_CACHE_HOME=/proc/1", { TSBPF_CACHE_DIR: undefined, XDG_CACHE_HOME: "/proc/1" }, "cannot create /proc/1/tsbpf"],
  ])("%s: no endless mkdir, one warning", (_, env, reason) => {
    const started = Date.now();
    const r = buildHello(env);
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining(reason)]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("a cache path that is a file, or a read-only directory, is skipped with one warning", () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "");
    const r = buildHello(withCache(file));
    expect(r.code).toBe(0);
    expect(warnings(r)).toEqual([expect.stringContaining(`${file} is not a directory`)]);

    const readOnly = tempDir(NOBODY, 0o500);
    const r2 = buildHello(withCache(readOnly), NOBODY);
    expect(r2.code).toBe(0);
    expect(warnings(r2)).toEqual([expect.stringContaining(`${readOnly} is not writable (EACCES)`)]);
    expectNoStack(r2.stderr);
  });
});

test("under umask 000 the cache is created 0700 and its files 0600", () => {
  const xdg = join(tempDir(0, 0o700), "xdg");
  const r = spawnSync("sh", ["-c", 'umask 000 && exec "$@"', "sh", TSBPF, "run", HELLO, "--duration", "0"], {
    encoding: "utf8",
    env: { ...process.env, XDG_CACHE_HOME: xdg, TSBPF_CACHE_DIR: "" },
    cwd: repo(),
  });
  expect([r.status, r.stderr]).toEqual([0, expect.stringContaining("Attached 1 program")]);
  const entries = snapshot(xdg);
  const names = (e: string) => e.replace(/ size=.*/, "").replace(/[0-9a-f]{32}/, "KEY").replace(/typescript-.*\.bin/, "typescript.bin").replace(/modules-.*\.bin/, "modules.bin");
  expect(entries.map(names)).toEqual([
    "tsbpf uid=0 mode=700",
    "tsbpf/objects uid=0 mode=700",
    "tsbpf/objects/.last-prune uid=0 mode=600", // when the folder was last pruned (compiler/cache-prune.ts)
    "tsbpf/objects/KEY.bpf.o uid=0 mode=600",
    "tsbpf/objects/KEY.json uid=0 mode=600",
    "tsbpf/objects/compiler-KEY.fingerprint uid=0 mode=600", // the compiler's files' contents, by their sizes and times (D205)
    "tsbpf/v8 uid=0 mode=700",
    "tsbpf/v8/.last-prune uid=0 mode=600",
    "tsbpf/v8/modules.bin uid=0 mode=600",
    "tsbpf/v8/typescript.bin uid=0 mode=600",
  ]);
  expect(lstatSync(xdg).mode & 0o777).toBe(0o700);
});

describe("a corrupt cached object", () => {
  function cachedHello(): { cache: string; object: string; index: string } {
    const cache = join(tempDir(0, 0o700), "cache");
    const key = cacheKey(HELLO, {})!.key;
    const r = runHello(withCache(cache));
    expect([r.code, builtFresh(r)]).toEqual([0, true]);
    return { cache, object: join(cache, "objects", `${key}.bpf.o`), index: join(cache, "objects", `${key}.json`) };
  }

  test("an object that does not match its index is rebuilt, and the next run uses the new one", () => {
    const { cache, object } = cachedHello();
    writeFileSync(object, "garbage");
    const r = runHello(withCache(cache));
    expect(r.code).toBe(0);
    expect(builtFresh(r)).toBe(true);
    expect(readFileSync(object).subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    const again = runHello(withCache(cache));
    expect([again.code, builtFresh(again)]).toEqual([0, false]);
  });

  test("an object whose index matches but that libbpf cannot open is rebuilt once, not failed on every run", () => {
    const { cache, object, index } = cachedHello();
    // A BPF ELF header whose section headers lie far beyond the end of the file.
    const bad = readFileSync(object);
    bad.writeBigUInt64LE(0x7fff_ffffn, 0x28);
    writeFileSync(object, bad);
    writeFileSync(index, JSON.stringify({ ...JSON.parse(readFileSync(index, "utf8")), sha256: sha256(bad) }));
    const r = runHello(withCache(cache));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Attached 1 program (tracepoint:syscalls/sys_enter_syncfs)");
    expect(builtFresh(r)).toBe(true);
    expectNoStack(r.stderr);
    expect(sha256(readFileSync(object))).toBe(JSON.parse(readFileSync(index, "utf8")).sha256);
    expect(readFileSync(object).equals(bad)).toBe(false);
  });
});
