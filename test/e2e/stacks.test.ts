// Kernel stacks: kstack() records the stack where a program runs, user space shows its frames
// from /proc/kallsyms, and `tsbpf run` prints a map keyed by stacks as bpftrace prints @[kstack].
import { STACK_ID_COUNT_BITS, STACK_ID_CPU_MASK } from "../../contract/manifest.js";
import { libbpf } from "../../native/libbpf.js";
import { open } from "../../runtime/index.js";
import type { LoadedObject } from "../../runtime/loader.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { syncfsFromThisProcess, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fixture = (name: string) => repo("test/fixtures/stacks", name);
/** The frames a syncfs's stack passes through on every kernel: the system call's way in. */
const SYSCALL_ENTRY = /^ {4}do_syscall_64\+\d+$/m;

test.each(["v3", "v1"] as const)("kstack() counts each distinct kernel stack, shown as its frames (--cpu %s: no atomic instruction needed)", async (cpu) => {
  await using probe = await open(fixture("syncfs-stacks.ts"), { params: { TARGET: process.pid }, cpu });
  probe.attach();
  syncfsFromThisProcess();
  syncfsFromThisProcess();
  const entries = [...probe.map("stacks").entries()] as [string, bigint][];
  // The same call from the same place: one stack, counted twice.
  expect(entries.length).toBe(1);
  const [[stack, count]] = entries;
  expect(count).toBe(2n);
  expect(stack).toMatch(SYSCALL_ENTRY);
  expect(stack.startsWith("\n")).toBe(true);
});

test("a probe's own maps under the names the compiler asks for its stack maps leave the stacks readable: the manifest names the maps the compiler got", async () => {
  await using probe = await open(fixture("name-clash.ts"), { params: { TARGET: process.pid } });
  probe.attach();
  syncfsFromThisProcess();
  const [[stack, count]] = [...probe.map("stacks").entries()] as [string, bigint][];
  expect(count).toBe(1n);
  expect(stack).toMatch(SYSCALL_ENTRY);
  expect([...probe.map("kernel_stacks").entries()]).toEqual([[7, 1n]]);
  expect([...probe.map("kernel_stacks_next_id").entries()]).toEqual([[9, 1n]]);
});

describe("a new stack's id is claimed, never given twice (D193): ids seeded as taken, as a program that interrupted this one on its CPU would have taken them", () => {
  /** Opens the syncfs probe with the first `taken` ids of every CPU already in the hash of ids given, then records one syncfs. */
  async function recordWithTaken(taken: number) {
    const probe = await open(fixture("syncfs-stacks.ts"), { params: { TARGET: process.pid } });
    // The compiler's maps are not the probe's own: reached through the loaded object, as the runtime reaches them.
    const handle = (name: string) => (probe as unknown as { loaded: LoadedObject }).loaded.mapHandle(name);
    const { stacks, nextId } = probe.compiled.stacks!.kernel!;
    const ids = handle(`${stacks}_ids`);
    for (let cpu = 0; cpu < libbpf().numPossibleCpus(); cpu++)
      for (let count = 0; count < taken; count++) {
        const key = Buffer.alloc(4);
        key.writeUInt32LE(((cpu & STACK_ID_CPU_MASK) << STACK_ID_COUNT_BITS) | count);
        expect(libbpf().mapUpdateElem(ids, key, 4, Buffer.alloc(1), 1, 0n)).toBe(0);
      }
    probe.attach();
    syncfsFromThisProcess();
    const counts = Buffer.alloc(8 * libbpf().numPossibleCpus());
    expect(libbpf().mapLookupElem(handle(nextId), Buffer.alloc(4), 4, counts, counts.length, 0n)).toBe(0);
    let tries = 0;
    for (let cpu = 0; cpu < libbpf().numPossibleCpus(); cpu++) tries += counts.readUInt32LE(cpu * 8);
    return { probe, entries: [...probe.map("stacks").entries()] as [string, bigint][], tries };
  }

  test("two ids taken: the third try claims one, and the stack is shown as its frames", async () => {
    const { probe, entries, tries } = await recordWithTaken(2);
    await using _ = probe;
    expect(tries).toBe(3);
    expect(entries).toHaveLength(1);
    expect(entries[0][0]).toMatch(SYSCALL_ENTRY);
    expect(entries[0][1]).toBe(1n);
  });

  test("three taken: the stack is not recorded, and that is said with the error", async () => {
    const { probe, entries, tries } = await recordWithTaken(3);
    await using _ = probe;
    expect(tries).toBe(3);
    expect(entries.map(([stack]) => stack)).toEqual(["\n    [no stack recorded: recording it failed with -17 (EEXIST)]\n"]);
  });
});

test("tsbpf run prints a map keyed by stacks byte for byte as bpftrace v0.17 prints the same stack", async () => {
  const sync = syncfsLater();
  const bpftrace = spawn("bpftrace", ["-B", "none", "-e", `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_syncfs /pid == ${sync.pid}/ { @stacks[kstack] = count(); } interval:s:2 { exit(); }`], { stdio: ["ignore", "pipe", "pipe"] });
  let btOut = "";
  bpftrace.stdout.on("data", (d) => (btOut += d));
  const btExit = new Promise((r) => bpftrace.on("close", r)); // "close": its output read to the end
  const run = new Running(["run", fixture("syncfs-stacks.ts"), "--param", `TARGET=${sync.pid}`, "--duration", "2"]);
  await run.waitFor("stderr", /Attached 1 program/);
  while (!btOut.includes("ready\n")) await new Promise((r) => setTimeout(r, 25));
  await sync.go();
  expect(await run.exited).toBe(0);
  await btExit;
  expect(run.stdout).toMatch(/^@stacks\[\n( {4}\S+\+\d+\n)+\]: 1$/m);
  expect(run.stdout).toMatch(SYSCALL_ENTRY);
  expect(run.stdout).toBe(`\n${btOut.slice(btOut.indexOf("ready\n\n\n") + "ready\n\n\n".length)}`);
  expectNoStack(run.stderr);
});

describe("sampled kernel stacks while a process copies bytes a syscall at a time", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-stacks-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** `tsbpf run` of the profile for a second beside dd, which spends its time in read and write. */
  const profile = (...options: string[]) => {
    const dd = spawn("dd", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=100000000"], { stdio: "ignore" });
    try {
      return tsbpf(["run", fixture("kernel-profile.ts"), "--duration", "1", ...options]);
    } finally {
      dd.kill("SIGKILL");
    }
  };

  test("--folded prints each stack as flamegraph.pl reads it: outermost;…;innermost count", () => {
    const r = profile("--folded");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^[^\s;]+(;[^\s;]+)* \d+$/);
    // dd's system calls, from their entry inwards.
    expect(lines.some((l) => /(^|;)do_syscall_64;.*(read|write)/.test(l))).toBe(true);
  });

  test("a sample with no kernel stack (the CPU in user code) says so in words, not as the error number", () => {
    const r = profile();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^@\w+\[\n/m);
    expect(r.stdout).not.toMatch(/^@\w+\[-?\d+\]: /m);
    for (const note of r.stdout.match(/\[no stack recorded: [^\]]*\]/g) ?? []) expect(note).toBe("[no stack recorded: the CPU was running user code]");
  });

  test("--flamegraph writes an SVG with a box per frame, its zoom and its search", () => {
    const svg = join(dir, "profile.svg");
    const r = profile("--flamegraph", svg);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`tsbpf: wrote ${svg}: a flame graph of \\d+ stacks`));
    const text = readFileSync(svg, "utf8");
    expect(text.startsWith('<?xml version="1.0"')).toBe(true);
    expect(text.trimEnd().endsWith("</svg>")).toBe(true);
    expect(text).toMatch(/<g class="f" data-x="\d+" data-w="\d+" data-l="\d+"><title>do_syscall_64 \(\d+ samples, [\d.]+%\)<\/title><rect x="[\d.]+" y="\d+" width="[\d.]+"/);
    expect(text).toContain('<text id="search"');
    expect(text).toContain("<script><![CDATA[");
  });

  test("--flamegraph of a probe that counts no stacks says what it needs", () => {
    const r = tsbpf(["run", fixture("syncfs-stacks.ts"), "--duration", "0", "--flamegraph", join(dir, "none.svg")]);
    expect(r.code).toBe(0); // its map counts stacks: an empty graph
    const plain = tsbpf(["run", repo("examples/vfsstat.ts"), "--duration", "0", "--flamegraph", join(dir, "vfs.svg")]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("error: --flamegraph: the probe has no map that counts stacks");
    expectNoStack(plain.stderr);
  });
});

describe("examples/profile.ts: user stacks of a program busy in one function", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-profile-"));
  const busy = join(dir, "busy");
  // CI installs clang-14; gcc may be absent there.
  const cc = ["/usr/bin/clang-14", "/usr/bin/cc", "/usr/bin/gcc"].find(existsSync);
  beforeAll(() => {
    if (!cc) throw new Error("no C compiler (clang-14, cc) to build the profiled program");
    execFileSync(cc, ["-O1", "-fno-omit-frame-pointer", "-o", busy, fixture("busy.c")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const profile = (...options: string[]) => {
    const child = spawn(busy, { stdio: "ignore" });
    try {
      return tsbpf(["run", repo("examples/profile.ts"), "--param", `TARGET_PID=${child.pid}`, "--duration", "1", ...options]);
    } finally {
      child.kill("SIGKILL");
    }
  };

  test("the busy function tops the folded output, under main", () => {
    const r = profile("--folded");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").filter((l) => l !== "");
    const counts = lines.map((l) => Number(/ (\d+)$/.exec(l)![1]));
    const top = lines[counts.indexOf(Math.max(...counts))];
    expect(top).toMatch(/(^|;)main;spin \d+$/);
    // 49 a second for a second on a CPU of its own: most of the samples are its.
    expect(Math.max(...counts)).toBeGreaterThan(20);
    expectNoStack(r.stderr);
  });

  test("the flame graph has a box for it, and for main below it", () => {
    const svg = join(dir, "profile.svg");
    expect(profile("--flamegraph", svg).code).toBe(0);
    const text = readFileSync(svg, "utf8");
    const level = (name: string) => Number(new RegExp(`data-l="(\\d+)"><title>${name} \\(`).exec(text)?.[1]);
    expect(level("spin")).toBe(level("main") + 1);
  });

  test("the stacks of a process that has exited are named as while it lived", async () => {
    const child = spawn(busy, { stdio: "ignore" });
    await using probe = await open(repo("examples/profile.ts"), { params: { TARGET_PID: child.pid! } });
    probe.attach();
    await new Promise((r) => setTimeout(r, 500));
    probe.detach();
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const stacks = [...probe.map("samples").entries()].map(([stack]) => stack as string);
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) expect(s).toMatch(/^ {4}spin\+\d+\n {4}main\+\d+\n/m);
  });
});

test("kstack() in a function is refused at the call: it needs the program's context", () => {
  const e = compileErrorOf(fixture("in-function.ts"))!;
  expect(e.format()).toContain("in-function.ts:4:20: error TSB1001: kstack() is called from a program's handler, not from a function");
});
