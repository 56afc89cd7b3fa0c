// Issue 11: symbolising 10,000 stack entries, tsbpf against bpftrace printing the same stacks.
// A C program (bench/c/stacks.c) makes 2^depth distinct user stacks, each ending in a getppid
// system call; both tracers count `@[kstack, ustack]` at sys_enter_getppid for that process
// (tsbpf: a Count keyed by { k: kstack(), u: ustack() }), then are stopped with SIGINT while the
// program still lives, and print every stack at exit: a kernel frame a line from /proc/kallsyms,
// a user frame a line from the program's and libc's ELF symbols.
//
// What is timed is SIGINT to exit. Each tracer also runs a baseline that collects the same
// stacks and prints nothing (bpftrace: `END { clear(@); }`; tsbpf: the map not exported), so
// that printing costs (time with printing − time without), the medians of `runs` runs,
// round-robin. Prints a markdown table for bench/RESULTS.md, and whether both printed the
// same stacks (frames compared without offsets: bpftrace writes them in decimal, tsbpf in hex).
// Usage: npm run bench:stacks [-- --runs N] [--depth D] (root; gcc or cc, bpftrace; x86-64).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, median } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 7;
/** 2^9 = 512 stacks of ≈ 22 frames (user and kernel): ≈ 11,000 stack entries. */
const depth = Number(option("--depth")) || 9;
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
  `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /pid == ${pid}/ { @[kstack, ustack] = count(); }${print ? "" : " END { clear(@); }"}`;

interface Tracer {
  name: string;
  command: (pid: number) => string[];
  ready: RegExp;
  exitMs: number[];
  output?: string;
}

/** Output of a child gathered until `pattern` shows in it. */
function waitFor(streams: NodeJS.ReadableStream[], pattern: RegExp, what: string, exited: Promise<unknown>): Promise<void> {
  let seen = "";
  return new Promise((resolve, reject) => {
    for (const s of streams)
      s.on("data", (d: Buffer) => {
        seen += d;
        if (pattern.test(seen)) resolve();
      });
    void exited.then(() => reject(new Error(`${what} ended before ${pattern}: ${seen}`)));
  });
}

/** One run of `tracer` over a fresh target process: SIGINT to exit, in ms, and what it printed. */
async function runOnce(tracer: Tracer, binary: string): Promise<{ ms: number; stdout: string }> {
  const target = spawn(binary, [], { stdio: ["pipe", "pipe", "inherit"] });
  const targetExit = new Promise((r) => target.on("exit", r));
  const targetDone = waitFor([target.stdout!], /done/, "the target", targetExit);
  const cmd = tracer.command(target.pid!);
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((r) => child.on("exit", r));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  try {
    await waitFor([child.stdout, child.stderr], tracer.ready, tracer.name, exited);
    target.stdin!.end("g");
    await targetDone;
    // Both idle a moment after the last stack (tsbpf reads the stacks' notices meanwhile).
    await new Promise((r) => setTimeout(r, 300));
    const t0 = process.hrtime.bigint();
    child.kill("SIGINT");
    const code = await exited;
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
    const lines = entry.split("\n").filter((l) => l.startsWith("        "));
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
    execFileSync(cc, ["-O1", "-fno-omit-frame-pointer", "-fno-optimize-sibling-calls", `-DDEPTH=${depth}`, "-o", binary, join(packageRoot, "bench", "c", "stacks.c")]);
    const printing = join(dir, "stacks.ts");
    const silent = join(dir, "stacks-silent.ts");
    writeFileSync(printing, probe(true));
    writeFileSync(silent, probe(false));
    const tracers: Tracer[] = [
      { name: "bpftrace", command: (pid) => ["bpftrace", "-B", "none", "-e", bpftraceScript(pid, true)], ready: /ready/, exitMs: [] },
      { name: "bpftrace, no print", command: (pid) => ["bpftrace", "-B", "none", "-e", bpftraceScript(pid, false)], ready: /ready/, exitMs: [] },
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
    const [bt, btSilent, ts, tsSilent] = tracers;
    const btStacks = stacksIn(bt.output!);
    const tsStacks = stacksIn(ts.output!);
    const differ = btStacks.stacks.filter((s, i) => s !== tsStacks.stacks[i]).length;
    const printMs = (a: Tracer, b: Tracer) => median(a.exitMs) - median(b.exitMs);
    const btPrint = printMs(bt, btSilent);
    const tsPrint = printMs(ts, tsSilent);
    const row = (t: Tracer) => `| ${t.name} | ${median(t.exitMs).toFixed(0)} ms | ${t.exitMs.map((m) => m.toFixed(0)).join(" ")} |`;
    const lines = [
      `runs: ${runs} per series, round-robin; ${2 ** depth} stacks; ${new Date().toISOString().slice(0, 16)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}; load average before ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
      "",
      `printed: bpftrace ${btStacks.stacks.length} stacks, ${btStacks.frames} frames; tsbpf ${tsStacks.stacks.length} stacks, ${tsStacks.frames} frames; ${differ === 0 && btStacks.stacks.length === tsStacks.stacks.length ? "the same stacks, frame for frame (offsets aside)" : `${differ} stacks differ`}`,
      "",
      "| series | SIGINT to exit (median) | each run |",
      "| --- | ---: | --- |",
      ...tracers.map(row),
      "",
      "| what | printing (median with − median without) | per 10,000 frames | × bpftrace |",
      "| --- | ---: | ---: | ---: |",
      `| bpftrace | ${btPrint.toFixed(0)} ms | ${((btPrint * 10_000) / btStacks.frames).toFixed(0)} ms | 1.00 |`,
      `| tsbpf | ${tsPrint.toFixed(0)} ms | ${((tsPrint * 10_000) / tsStacks.frames).toFixed(0)} ms | ${(tsPrint / btPrint).toFixed(2)} |`,
    ];
    if (differ) lines.push("", `first difference: bpftrace ${btStacks.stacks.find((s, i) => s !== tsStacks.stacks[i])} / tsbpf ${tsStacks.stacks.find((s, i) => s !== btStacks.stacks[i])}`);
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
