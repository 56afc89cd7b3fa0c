// Issue 11: symbolising 10,000 stack entries, tsbpf against bpftrace printing the same stacks.
// A C program (bench/c/stacks.c) makes 2^depth distinct user stacks of ≈ 78 frames, each ending
// in a getppid system call; the tracers count `@[kstack, ustack]` at sys_enter_getppid for that
// process (tsbpf: a Count keyed by { k: kstack(), u: ustack() }), then are stopped with SIGINT
// while the program still lives, and print every stack at exit: a kernel frame a line from
// /proc/kallsyms, a user frame a line from the program's and libc's ELF symbols (libc's from its
// debug file where libc6-dbg is installed, for both).
//
// What is timed is the stop to exit: SIGINT for tsbpf; for bpftrace, its own exit() on the
// target's getpid (bpftrace v0.17 slept through a SIGINT for good twice in about a dozen runs
// here, idle). Each tracer also runs a baseline that collects the same
// stacks and prints nothing (bpftrace: `END { clear(@); }`; tsbpf: the map not exported), so
// that printing costs (time with printing − time without), the medians of `runs` runs,
// round-robin. bpftrace runs twice: as it is (v0.17 reads a process's symbols afresh for each
// user stack when ASLR is on) and with BPFTRACE_CACHE_USER_SYMBOLS=1 (once per process, as tsbpf
// does): the second is the fair peer. Prints a markdown table for bench/RESULTS.md, and whether
// they printed the same stacks. Usage: npm run bench:stacks [-- --runs N] [--depth D] [--pad P]
// (root; gcc or cc, bpftrace; x86-64).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, median } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 7;
/** 2^7 = 128 stacks of 4 kernel and 1 + 2·7 + 60 + 2 user frames: ≈ 10,400 stack entries. */
const depth = Number(option("--depth")) || 7;
const pad = Number(option("--pad")) || 60;
const tsbpf = join(packageRoot, "bin", "tsbpf");

const probe = (exported: boolean) => `import { Count, kstack, param, pid, tracepoint, ustack, type KernelStack, type u32, type UserStack } from "tsbpf";
const TARGET = param<u32>("TARGET", 0);
interface Stacks { k: KernelStack; u: UserStack }
${exported ? "export " : ""}const stacks = new Count<Stacks>();
export const onGetppid = tracepoint("syscalls/sys_enter_getppid", () => {
  if (pid() === TARGET) stacks.increment({ k: kstack(), u: ustack() });
});
`;

const bpftraceScript = (pid: number, print: boolean) =>
  `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /pid == ${pid}/ { @[kstack, ustack] = count(); } tracepoint:syscalls:sys_enter_getpid /pid == ${pid}/ { exit(); }${print ? "" : " END { clear(@); }"}`;

interface Tracer {
  name: string;
  command: (pid: number) => string[];
  env?: NodeJS.ProcessEnv;
  ready: RegExp;
  /** Stopped by the target's getpid (its own exit()), not by SIGINT. */
  exitsOnGetpid?: boolean;
  exitMs: number[];
  output?: string;
}

/** Output of a child gathered until `pattern` shows in it (within a minute). */
function waitFor(streams: NodeJS.ReadableStream[], pattern: RegExp, what: string, exited: Promise<unknown>): Promise<void> {
  let seen = "";
  return new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error(`no ${pattern} from ${what} within a minute: ${seen}`)), 60_000);
    for (const s of streams)
      s.on("data", (d: Buffer) => {
        seen += d;
        if (pattern.test(seen)) {
          clearTimeout(late);
          resolve();
        }
      });
    void exited.then(() => reject(new Error(`${what} ended before ${pattern}: ${seen}`)));
  });
}

/** `exited`, or an error after `ms`. */
function within<T>(exited: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not exit within ${ms / 1000} s of SIGINT`)), ms)));
  return Promise.race([exited, late]).finally(() => clearTimeout(timer));
}

/** One run of `tracer` over a fresh target process: SIGINT to exit, in ms, and what it printed. */
async function runOnce(tracer: Tracer, binary: string): Promise<{ ms: number; stdout: string }> {
  const target = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
  const targetExit = new Promise((r) => target.on("exit", r));
  const targetDone = waitFor([target.stdout!], /done/, "the target", targetExit);
  const cmd = tracer.command(target.pid!);
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...tracer.env } });
  const exited = new Promise<number | null>((r) => child.on("exit", r));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  try {
    await waitFor([child.stdout, child.stderr], tracer.ready, tracer.name, exited);
    target.stdin!.write("g");
    await targetDone;
    // Both idle a moment after the last stack (tsbpf reads the stacks' notices meanwhile).
    await new Promise((r) => setTimeout(r, 300));
    const t0 = process.hrtime.bigint();
    target.stdin!.end("s");
    if (!tracer.exitsOnGetpid) child.kill("SIGINT");
    const code = await within(exited, 300_000, tracer.name);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (code !== 0) throw new Error(`${tracer.name} exited with ${code}: ${stderr}`);
    return { ms, stdout };
  } finally {
    target.kill("SIGKILL");
    await targetExit;
    child.kill("SIGKILL");
  }
}

/** The stacks a tracer printed, each its frames without offsets (one string a stack), sorted; and how many frame lines. */
function stacksIn(output: string): { stacks: string[]; frames: number } {
  const stacks: string[] = [];
  let frames = 0;
  for (const entry of output.split(/^@\w*\[/m).slice(1)) {
    const lines = entry.split("\n").filter((l) => l.startsWith("    "));
    frames += lines.length;
    stacks.push(lines.map((l) => l.trim().replace(/\+(0x[0-9a-f]+|\d+)$/, "")).join(";"));
  }
  return { stacks: stacks.sort(), frames };
}

async function main(): Promise<void> {
  if (process.arch !== "x64") throw new Error("bench: the target program's system call is x86-64's");
  if (!installed("bpftrace")) throw new Error("bench: bpftrace is not installed");
  const cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang-14"].find(existsSync);
  if (!cc) throw new Error("bench: no C compiler (gcc, cc)");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-stacks-"));
  try {
    const binary = join(dir, "stacks");
    execFileSync(cc, ["-O1", "-fno-omit-frame-pointer", "-fno-optimize-sibling-calls", `-DDEPTH=${depth}`, `-DPAD=${pad}`, "-o", binary, join(packageRoot, "bench", "c", "stacks.c")]);
    const printing = join(dir, "stacks.ts");
    const silent = join(dir, "stacks-silent.ts");
    writeFileSync(printing, probe(true));
    writeFileSync(silent, probe(false));
    const tracers: Tracer[] = [
      { name: "bpftrace", command: (pid) => ["bpftrace", "-B", "none", "-e", bpftraceScript(pid, true)], ready: /ready/, exitsOnGetpid: true, exitMs: [] },
      { name: "bpftrace, BPFTRACE_CACHE_USER_SYMBOLS=1", command: (pid) => ["bpftrace", "-B", "none", "-e", bpftraceScript(pid, true)], env: { BPFTRACE_CACHE_USER_SYMBOLS: "1" }, ready: /ready/, exitsOnGetpid: true, exitMs: [] },
      { name: "bpftrace, no print", command: (pid) => ["bpftrace", "-B", "none", "-e", bpftraceScript(pid, false)], ready: /ready/, exitsOnGetpid: true, exitMs: [] },
      { name: "tsbpf", command: (pid) => [tsbpf, "run", printing, "--param", `TARGET=${pid}`], ready: /Attached/, exitMs: [] },
      { name: "tsbpf, no print", command: (pid) => [tsbpf, "run", silent, "--param", `TARGET=${pid}`], ready: /Attached/, exitMs: [] },
    ];
    const load = loadavg().map((l) => l.toFixed(2)).join(" ");
    for (const t of tracers.filter((t) => t.name.startsWith("tsbpf"))) await runOnce(t, binary); // compile and cache the probes
    for (let i = 0; i < runs; i++)
      for (const t of tracers) {
        const { ms, stdout } = await runOnce(t, binary);
        t.exitMs.push(ms);
        t.output = stdout;
      }
    const [btAsIs, bt, btSilent, ts, tsSilent] = tracers;
    const btStacks = stacksIn(bt.output!);
    const tsStacks = stacksIn(ts.output!);
    const inBoth = tsStacks.stacks.filter((s) => btStacks.stacks.includes(s)).length;
    const printMs = (a: Tracer, b: Tracer) => median(a.exitMs) - median(b.exitMs);
    const btAsIsPrint = printMs(btAsIs, btSilent);
    const btPrint = printMs(bt, btSilent);
    const tsPrint = printMs(ts, tsSilent);
    const row = (t: Tracer) => `| ${t.name} | ${median(t.exitMs).toFixed(0)} ms | ${t.exitMs.map((m) => m.toFixed(0)).join(" ")} |`;
    const lines = [
      `runs: ${runs} per series, round-robin; ${2 ** depth} stacks; ${new Date().toISOString().slice(0, 16)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}; load average before ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
      "",
      `printed: bpftrace ${btStacks.stacks.length} stacks (${new Set(btStacks.stacks).size} distinct), ${btStacks.frames} frames; tsbpf ${tsStacks.stacks.length} stacks (${new Set(tsStacks.stacks).size} distinct), ${tsStacks.frames} frames; ${inBoth} of tsbpf's stacks are among bpftrace's, frame for frame (names, offsets aside)`,
      "",
      "| series | stop to exit (median) | each run |",
      "| --- | ---: | --- |",
      ...tracers.map(row),
      "",
      "| what | printing (median with − median without) | per 10,000 frames | × bpftrace |",
      "| --- | ---: | ---: | ---: |",
      `| bpftrace as it is | ${btAsIsPrint.toFixed(0)} ms | ${((btAsIsPrint * 10_000) / btStacks.frames).toFixed(0)} ms | ${(btAsIsPrint / btPrint).toFixed(2)} |`,
      `| bpftrace, user symbols cached | ${btPrint.toFixed(0)} ms | ${((btPrint * 10_000) / btStacks.frames).toFixed(0)} ms | 1.00 |`,
      `| tsbpf | ${tsPrint.toFixed(0)} ms | ${((tsPrint * 10_000) / tsStacks.frames).toFixed(0)} ms | ${(tsPrint / btPrint).toFixed(2)} |`,
    ];
    const missing = tsStacks.stacks.find((s) => !btStacks.stacks.includes(s));
    if (missing) lines.push("", `a stack of tsbpf's that bpftrace did not print: ${missing}`);
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
