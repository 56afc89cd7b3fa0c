// The CLI's builds in a process started from the compiler's start-up snapshot (D156): made by
// the second build of a cache, used from the third, giving the object and the errors a build in
// the CLI's own process gives; a trust boundary like every cache file (code V8 runs), and a
// snapshot that does not start is dropped and not tried again.
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../compiler/compile.js";
import { privateFolders } from "../helpers/private-folders.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";

const NOBODY = 65534;
const HELLO = repo("examples/hello-syncfs.ts");
const MANY_ERRORS = repo("test/fixtures/errors/many-errors.ts");
const privateFolder = privateFolders("tsbpf-snapshot-test-");

/** A fresh cache of root's (its parent 0700 in /tmp). */
function freshCache(): string {
  return join(privateFolder(), "cache");
}

const build = (cache: string, file = HELLO, out = "/dev/null") => tsbpf(["build", file, "-o", out, "--timings"], { env: { TSBPF_CACHE_DIR: cache, XDG_CACHE_HOME: undefined } });
/** The build ran in the snapshot's process: only then is there a `snapshot` phase. */
const inSnapshot = (stderr: string) => /timings: .*snapshot \d/.test(stderr);
const snapshots = (cache: string) => readdirSync(join(cache, "v8")).filter((n) => /^compiler-.*\.blob$/.test(n));
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("tsbpf: warning:"));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** A cache whose snapshot is made: the path of the snapshot. */
function cacheWithSnapshot(): { cache: string; snapshot: string } {
  const cache = freshCache();
  const first = build(cache);
  expect([first.code, inSnapshot(first.stderr), snapshots(cache)]).toEqual([0, false, []]);
  const second = build(cache);
  expect([second.code, inSnapshot(second.stderr)]).toEqual([0, false]);
  expect(snapshots(cache)).toHaveLength(1);
  return { cache, snapshot: join(cache, "v8", snapshots(cache)[0]) };
}

test("the second build of a cache makes the snapshot; the next builds in it, to the object the CLI's own process builds", () => {
  const { cache, snapshot } = cacheWithSnapshot();
  expect(lstatSync(snapshot)).toMatchObject({ uid: 0, mode: 0o100600 });
  const out = join(cache, "..", "hello.bpf.o");
  const r = build(cache, HELLO, out);
  expect(r.code).toBe(0);
  expect(inSnapshot(r.stderr)).toBe(true);
  expect(sha256(readFileSync(out))).toBe(sha256(compile(HELLO, { cache: false }).object));
});

test("a run that builds in its own process makes the snapshot once its probe is done, not before it attaches", async () => {
  const cache = freshCache();
  expect(build(cache).code).toBe(0); // TypeScript's code cache: the next build in this process may make the snapshot
  const run = new Running(["run", HELLO, "--duration", "1", "--no-cache"], { TSBPF_CACHE_DIR: cache, XDG_CACHE_HOME: undefined });
  await run.waitFor("stderr", /Attached 1 program/);
  expect(snapshots(cache)).toEqual([]);
  expect(await run.exited).toBe(0);
  expect(snapshots(cache)).toHaveLength(1);
  // Where nobody watches (no terminal), the exit's delay is not announced.
  expect(run.stderr).not.toMatch(/snapshot/);
  expect(inSnapshot(build(cache).stderr)).toBe(true);
});

test("a probe's errors from the snapshot's process are those of a build in the CLI's own", () => {
  const { cache } = cacheWithSnapshot();
  const served = build(cache, MANY_ERRORS);
  const own = build(freshCache(), MANY_ERRORS);
  expect(served.code).toBe(1);
  expect(served.stderr.split("\n").length).toBeGreaterThan(10);
  expect(served.stderr).toBe(own.stderr);
  expectNoStack(served.stderr);
});

test("a type error found after the IR went to the CLI's process: the error a build in the CLI's own gives, and no object", () => {
  const { cache } = cacheWithSnapshot();
  const dir = privateFolder();
  // Lowering never reads a type alias: the IR is sent before the check finds it (D200).
  const probe = join(dir, "late-type-error.ts");
  writeFileSync(probe, 'import { tracepoint, printk } from "tsbpf";\n\ntype Unused = NoSuchType;\n\nexport const hello = tracepoint("syscalls/sys_enter_syncfs", () => {\n  printk("hi");\n});\n');
  const out = join(dir, "late.bpf.o");
  const served = build(cache, probe, out);
  const own = build(freshCache(), probe, out);
  expect([served.code, served.stderr]).toEqual([1, expect.stringContaining(`${probe}:3:15: error TS2304: Cannot find name 'NoSuchType'.`)]);
  expect(served.stderr).toBe(own.stderr);
  expect(existsSync(out)).toBe(false);
});

test.each([
  ["owned by another user", (f: string) => chownSync(f, NOBODY, NOBODY), `is owned by uid ${NOBODY}, not by uid 0`],
  ["writable by its group", (f: string) => chmodSync(f, 0o620), "is writable by its group (mode 620)"],
])("a snapshot %s is not started, and is replaced by one of this user's", (_, spoil, reason) => {
  const { cache, snapshot } = cacheWithSnapshot();
  spoil(snapshot);
  const r = build(cache);
  expect(r.code).toBe(0);
  expect(inSnapshot(r.stderr)).toBe(false);
  expect(warnings(r.stderr)).toEqual([expect.stringContaining(`${snapshot} ${reason}`)]);
  expect(lstatSync(snapshot)).toMatchObject({ uid: 0, mode: 0o100600 });
  expect(inSnapshot(build(cache).stderr)).toBe(true);
});

test("a symbolic link at the snapshot's name is neither started nor written through", () => {
  const { cache, snapshot } = cacheWithSnapshot();
  const victim = join(cache, "..", "precious");
  writeFileSync(victim, "precious\n");
  rmSync(snapshot);
  symlinkSync(victim, snapshot);
  const r = build(cache);
  expect(r.code).toBe(0);
  expect(warnings(r.stderr)).toEqual([expect.stringContaining(`${snapshot} is a symbolic link`)]);
  expect(readFileSync(victim, "utf8")).toBe("precious\n");
  expect(lstatSync(snapshot).isFile()).toBe(true);
});

test("a snapshot Node cannot start from: the build goes on in the CLI's process, quietly, and it is not tried again", () => {
  const { cache, snapshot } = cacheWithSnapshot();
  writeFileSync(snapshot, "not a snapshot");
  const r = build(cache);
  expect([r.code, inSnapshot(r.stderr)]).toEqual([0, false]);
  expect(r.stderr).not.toMatch(/snapshot|warning/i);
  expect(existsSync(snapshot)).toBe(false);
  expect(existsSync(`${snapshot}.failed`)).toBe(true);
  const again = build(cache);
  expect([again.code, inSnapshot(again.stderr), snapshots(cache)]).toEqual([0, false, []]);
});
