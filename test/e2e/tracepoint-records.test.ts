// Tracepoint records typed from the running kernel's tracefs format files (compiler/kernel/,
// D129): `ctx.filename` with no interface written, read in the kernel and checked here; a
// misspelt field and an unknown tracepoint are errors at their place, saying what to do.
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "../../runtime/index.js";
import { probeKernelDeclarations, tracepointNames } from "../../compiler/kernel/kernel-declarations.js";
import { kernelRequest } from "../../compiler/kernel/kernel-request.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const FIXTURE = repo("test/fixtures/tracepoints/typed-records.ts");

test("openat's arguments and a new task's pid and comm, typed from their format files, read in the kernel", async () => {
  await using probe = await open(FIXTURE, { params: { TARGET: process.pid } });
  const opened = probe.events("opened");
  const forked = probe.events("forked");
  probe.attach();
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-tp-"));
  try {
    const path = join(dir, "typed-record");
    closeSync(openSync(path, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o600));
    const child = spawnSync("true");
    expect(child.status).toBe(0);
    const events: unknown[] = [];
    opened.poll((batch) => events.push(...batch));
    // AT_FDCWD is -100: an int read from its 8-byte slot as an int.
    expect(events).toContainEqual({ dfd: -100, flags: expect.any(Number), path });
    const mine = events.find((e) => (e as { path: string }).path === path) as { flags: number };
    expect(mine.flags & (constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC)).toBe(constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC);
    const tasks: { child: number; comm: string; cloneFlags: bigint }[] = [];
    forked.poll((batch) => tasks.push(...(batch as typeof tasks)));
    const comm = readFileSync("/proc/self/comm", "utf8").trim();
    expect(tasks.map((t) => t.comm)).toContain(comm);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks.every((t) => t.child > 0 && typeof t.cloneFlags === "bigint")).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a __data_loc string, read with ctx.str(): the file an exec runs", async () => {
  await using probe = await open(repo("test/fixtures/tracepoints/exec-names.ts"));
  const execs = probe.events("execs");
  probe.attach();
  const child = spawnSync("/bin/true");
  expect(child.status).toBe(0);
  const seen: { pid: number; file: string }[] = [];
  execs.poll((batch) => seen.push(...(batch as typeof seen)));
  expect(seen).toContainEqual({ pid: child.pid, file: "/bin/true" });
});

describe("mistakes", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-tp-errors-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const build = (name: string, body: string) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, `import { tracepoint, printf } from "tsbpf";\n${body}\n`);
    return { file, r: tsbpf(["build", file, "-o", join(dir, `${name}.o`)]) };
  };

  test("a misspelt field: TypeScript's error at the field, with the field it meant", () => {
    const { file, r } = build("misspelt", 'export const p = tracepoint("syscalls/sys_enter_openat", (ctx) => {\n  printf("%d\\n", ctx.filenam);\n});');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:22: error TS2551: Property 'filenam' does not exist on type 'TracepointContext<tracepoint__syscalls__sys_enter_openat>'. Did you mean 'filename'?`);
    expectNoStack(r.stderr);
  });

  test("ctx.str() with a size that is not a constant", () => {
    const { file, r } = build("str-size", 'export const p = tracepoint("sched/sched_process_exec", (ctx) => {\n  const n = ctx.pid;\n  printf("%s\\n", ctx.str(ctx.filename, n));\n});');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:4:`);
    expect(r.stderr).toContain("the string's size must be a constant from 1 to 4096");
    expectNoStack(r.stderr);
  });

  test("a field of a tracepoint this kernel does not have: where to look, and the way round", () => {
    const { file, r } = build("unknown", 'export const p = tracepoint("syscalls/sys_enter_opnat", (ctx) => {\n  printf("%d\\n", ctx.flags);\n});');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:22: error TS2339: Property 'flags' does not exist on type 'TracepointContext<{}>'.`);
    expect(r.stderr).toContain("hint: a tracepoint's fields come from its format file");
    expectNoStack(r.stderr);
  });

  test("a field read as a user who cannot read tracefs: the hint says so, and to run as root", () => {
    const file = join(dir, "as-nobody.ts");
    writeFileSync(file, 'import { tracepoint, printf } from "tsbpf";\nexport const p = tracepoint("syscalls/sys_enter_openat", (ctx) => {\n  printf("%d\\n", ctx.flags);\n});\n');
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    const r = tsbpf(["build", file, "-o", "/dev/null"], { user: 65534, env: { TSBPF_CACHE_DIR: join(dir, "nobody-cache") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:22: error TS2339: Property 'flags' does not exist on type 'TracepointContext<{}>'.`);
    expect(r.stderr).toContain("hint: tracefs (/sys/kernel/tracing) is not readable by this user (uid 65534), so the tracepoint's fields are unknown: run as root (sudo tsbpf …)");
    expectNoStack(r.stderr);
  });
});

test("only the tracepoints a probe names are read, and the same kernel gives the same declarations", () => {
  const source = readFileSync(FIXTURE, "utf8");
  expect(tracepointNames(source)).toEqual(["syscalls/sys_enter_openat", "task/task_newtask"]);
  const text = probeKernelDeclarations(FIXTURE, source)!.text;
  expect(text).toBe(probeKernelDeclarations(FIXTURE, source)!.text);
  expect(text.match(/^ {2}interface tracepoint__\w+/gm)).toEqual(["  interface tracepoint__syscalls__sys_enter_openat", "  interface tracepoint__task__task_newtask"]);
  expect(text).toContain('"syscalls/sys_enter_openat": tracepoint__syscalls__sys_enter_openat;');
  expect(probeKernelDeclarations(FIXTURE, 'tracepoint("nosuch/event", () => {});')).toBeUndefined();
});

test("a program function imported under another name still types its handler: the kernel's names are found through the alias", () => {
  expect(tracepointNames('import { tracepoint as tp } from "tsbpf";\ntp("syscalls/sys_enter_openat", (ctx) => {});')).toEqual(["syscalls/sys_enter_openat"]);
  expect(tracepointNames('import { tracepoint as tp } from "other";\ntp("syscalls/sys_enter_openat", () => {});')).toEqual([]);
  expect(kernelRequest('import { tpBtf as onBtf, kprobe as kp } from "tsbpf";\nonBtf("sched_switch", (ctx) => {}); kp("vfs_read", (f) => {});')).toMatchObject({ functions: ["vfs_read"], rawTracepoints: ["sched_switch"] });
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-tp-alias-"));
  const file = join(dir, "aliased.ts");
  writeFileSync(file, 'import { tracepoint as tp, printf } from "tsbpf";\nexport const p = tp("syscalls/sys_enter_openat", (ctx) => {\n  printf("%d\\n", ctx.flags);\n});\n');
  const r = tsbpf(["build", file, "-o", join(dir, "aliased.o")]);
  rmSync(dir, { recursive: true, force: true });
  expect([r.code, r.stderr]).toEqual([0, expect.stringContaining("(tracepoint/syscalls/sys_enter_openat)")]);
});
