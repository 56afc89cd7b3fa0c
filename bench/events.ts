// Data out of the kernel, side by side with its peers in one run (issue 9). Prints markdown for
// bench/RESULTS.md.
//
//   ring     a RingBuf of 64-byte events, produced by BPF_PROG_TEST_RUN (events/drive.c, in its
//            own process, while the consumer reads): tsbpf's runtime in a Node program and
//            `tsbpf run` against a C libbpf consumer (events/consume.c) of the object
//            `tsbpf build` writes; events/s, drops, CPU per event, resident memory over the run.
//   syscall  an event per getppid() of a tight loop (events/getppid-loop.c), pid-filtered: tsbpf
//            (a RingBuf, and printf) against bpftrace's printf of the same fields.
//   startup  `tsbpf run examples/opensnoop.ts --duration 0` (cached) and a Node program doing the
//            same against `bpftrace bench/opensnoop.bt` exiting once attached.
//
// usage: npm run bench:events [-- --only ring,syscall,startup] [--runs N] [--events N] [--calls N] [--no-pin] [--counter-nice N]
// As root, with bpftrace, gcc and libbpf's headers (apt-get install bpftrace gcc libbpf-dev).
// Each measured run holds the kernel-test lock (/tmp/tsbpf-kernel-tests.lock) itself: do not
// run this under flock. The machine is shared: a run starts once the CPUs have been nearly idle
// for half a second (or after 30 s of waiting), runs at nice -10, the load on CPU 0 and the
// consumer on CPU 1 (unless --no-pin; unpinned, the scheduler often put both on one CPU and
// even the C consumer lost a quarter of the events), and says how much time the hypervisor stole.

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, median, phaseTable, series, startupTable, timeProcess, timeRoundRobin } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = new Set((option("--only") ?? "ring,syscall,startup").split(","));
const runs = Number(option("--runs")) || 3;
const ringEvents = Number(option("--events")) || 10_000_000;
/**
 * Repetitions per BPF_PROG_TEST_RUN call. Each xdp test run swaps the kernel's XDP dispatcher in
 * and out, 16–30 ms of waiting for RCU (measured here: 1,000 repetitions a call made 54,000
 * events/s, 100,000 made 4 million): a million a call keeps the producer running.
 */
const repeat = Number(option("--repeat")) || 1_000_000;
const syscalls = Number(option("--calls")) || 2_000_000;
const startupRuns = Number(option("--startup-runs")) || 11;
const pin = !process.argv.includes("--no-pin");
/** The line counter's niceness: the measured processes' by default (--counter-nice 0: the second session's harness). */
const counterNice = Number(option("--counter-nice") ?? -10);

const LOCK = "/tmp/tsbpf-kernel-tests.lock";
const here = join(packageRoot, "bench", "events");
const tsbpf = join(packageRoot, "bin", "tsbpf");
const nodeConsumer = join(packageRoot, "dist", "bench", "events", "node-consumer.js");
const work = mkdtempSync(join(tmpdir(), "tsbpf-bench-events-"));
const tool = (name: string) => join(work, name);
/** Node as a user's program runs it; without this machine's NODE_EXTRA_CA_CERTS, as the launcher (D10). */
const plainNode = (...args: string[]) => [process.execPath, ...args];
const nodeEnv = { NODE_EXTRA_CA_CERTS: undefined };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds the kernel-test lock while `f` runs: a child `flock` that keeps it until its stdin closes. */
async function locked<T>(f: () => Promise<T>): Promise<T> {
  const holder = spawn("flock", [LOCK, "sh", "-c", "echo locked; cat >/dev/null"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
  try {
    return await f();
  } finally {
    holder.stdin!.end();
    await new Promise((r) => holder.once("exit", r));
  }
}

/** The measured processes: at nice -10, pinned to a CPU of their own (the load's and the consumer's). */
const placed = (cmd: string[], cpu: number): string[] => ["nice", "-n", "-10", ...(pin ? ["taskset", "-c", String(cpu)] : []), ...cmd];
const LOAD_CPU = 0;
const CONSUMER_CPU = 1;

/** The CPUs' time so far (/proc/stat's first line): busy, idle and stolen, in clock ticks. */
function cpuTimes(): { busy: number; idle: number; steal: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

/** Waits until the CPUs were at most 10 % busy over half a second, for 30 s at most; whether they were. */
async function quiet(): Promise<boolean> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const a = cpuTimes();
    await sleep(500);
    const b = cpuTimes();
    const total = b.busy - a.busy + b.idle - a.idle + b.steal - a.steal;
    if (total > 0 && (b.busy - a.busy) / total <= 0.1) return true;
  }
  return false;
}

/** CPU time of a process so far (user + system), in ms; /proc counts in clock ticks of 10 ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** A child whose output is kept, and awaited by pattern. */
class Child {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  constructor(
    readonly process: ChildProcess,
    readonly name: string,
  ) {
    process.stdout?.on("data", (d) => (this.stdout += d));
    process.stderr?.on("data", (d) => (this.stderr += d));
    // "close", not "exit": the output is all read by then.
    this.exited = new Promise((resolve) => process.on("close", (code) => resolve(code)));
  }
  get pid(): number {
    return this.process.pid!;
  }
  async waitFor(re: RegExp, streams: Child[] = [this], ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!streams.some((c) => re.test(c.stdout) || re.test(c.stderr))) {
      if (Date.now() > deadline || this.process.exitCode !== null)
        throw new Error(`${this.name}: no ${re} (exit ${this.process.exitCode})\n${streams.map((c) => c.stdout + c.stderr).join("\n")}`);
      await sleep(20);
    }
  }
}

const json = (text: string): Record<string, number> => JSON.parse(text.trim().split("\n").reverse().find((l) => l.startsWith("{"))!);

/** A consumer of events: its command, whether its stdout lines are the events, how it reports. */
interface Consumer {
  name: string;
  cmd: (targetPid: number) => string[];
  env?: NodeJS.ProcessEnv;
  /** Its event lines go through count-lines.c, which counts them and times the last. */
  printsLines: boolean;
  /** What says it reads, on its stderr or (passed on by count-lines) its non-event lines. */
  ready: RegExp;
  /** The consumer it is measured against (the first, if none). */
  peer?: string;
  /** Received, lost and when the last arrived, from what it and count-lines printed. */
  report: (consumer: Child, lines?: { lines: number; lastNs: number; other: string }) => { received: number; lost: number; lastNs: number };
}

interface Outcome {
  received: number;
  lost: number;
  /** Events received per second, from the load's start to the last event's arrival. */
  rate: number;
  cpuMsPerMillion: number;
  rssKb: number[];
  /** The load's own rate (runs or calls per second). */
  loadRate: number;
  /** The share of the CPUs' time the hypervisor took while the load ran. */
  stolen: number;
}

/** What makes the events: started (if it must exist before the consumer), then run against it. */
interface Load {
  prepare(): Promise<number>;
  run(consumerPid: number): Promise<{ startNs: number; endNs: number; count: number }>;
}

async function measureConsumer(c: Consumer, load: Load): Promise<Outcome> {
  const target = await load.prepare();
  // The line counter is part of the measurement, at the measured processes' priority: at nice 0
  // beside two processes at −10 on two CPUs it got the CPU late, the pipe filled, and the tool
  // waited on its writes while the kernel's buffer overflowed (a loss of the harness, not the tool's).
  const counter = c.printsLines ? new Child(spawn("nice", ["-n", String(counterNice), tool("count-lines")], { stdio: ["pipe", "pipe", "pipe"] }), "count-lines") : undefined;
  const cmd = placed(c.cmd(target), CONSUMER_CPU);
  const consumer = new Child(spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", counter ? counter.process.stdin! : "pipe", "pipe"], env: { ...process.env, ...c.env } }), c.name);
  counter?.process.stdin!.destroy(); // the consumer holds the pipe now: its exit is count-lines' EOF
  await consumer.waitFor(c.ready, counter ? [consumer, counter] : [consumer]);

  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssKb(consumer.pid)), 250);
  const cpuBefore = cpuMs(consumer.pid);
  const machineBefore = cpuTimes();
  const { startNs, endNs, count } = await load.run(consumer.pid);
  const machineAfter = cpuTimes();
  // Drained when the consumer's CPU time stops growing (the last events may still be in flight).
  for (let last = -1, still = 0; still < 4; await sleep(100)) {
    const now = cpuMs(consumer.pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
  const cpu = cpuMs(consumer.pid) - cpuBefore;
  clearInterval(sampler);
  rss.push(rssKb(consumer.pid));
  consumer.process.kill("SIGINT");
  await consumer.exited;
  await counter?.exited;
  const lines = counter && { ...json(counter.stdout), other: counter.stderr } as { lines: number; lastNs: number; other: string };
  const { received, lost, lastNs } = c.report(consumer, lines);
  return {
    received,
    lost,
    rate: received / ((lastNs - startNs) / 1e9),
    cpuMsPerMillion: (cpu / received) * 1e6,
    rssKb: rss,
    loadRate: count / ((endNs - startNs) / 1e9),
    stolen: (machineAfter.steal - machineBefore.steal) / (machineAfter.busy + machineAfter.idle + machineAfter.steal - machineBefore.busy - machineBefore.idle - machineBefore.steal),
  };
}

/** `tsbpf run`'s count of lost events or lines, from its exit report. */
const tsbpfLost = (stderr: string): number => [...stderr.matchAll(/tsbpf: (\d+) .* were lost/g)].reduce((a, m) => a + Number(m[1]), 0);

const nodeReport: Consumer["report"] = (consumer) => {
  const r = json(consumer.stdout);
  return { received: r.received, lost: r.lost, lastNs: r.lastNs };
};

const tsbpfRunReport: Consumer["report"] = (consumer, lines) => ({ received: lines!.lines, lost: tsbpfLost(consumer.stderr), lastNs: lines!.lastNs });

function build(): void {
  for (const c of ["drive", "consume", "getppid-loop", "count-lines"]) execFileSync("gcc", ["-O2", "-Wall", "-o", tool(c), join(here, `${c}.c`), "-lbpf"], { stdio: "inherit" });
  execFileSync(tsbpf, ["build", join(here, "producer.ts"), "-o", tool("producer.bpf.o")], { stdio: "inherit" });
}

// ---- ring: a RingBuf into JavaScript objects, against C ----

async function ringBench(): Promise<string[]> {
  const producer = join(here, "producer.ts");
  const load: Load = {
    prepare: async () => 0,
    run: async (consumerPid) => {
      const cmd = placed([tool("drive"), String(consumerPid), String(ringEvents), String(repeat)], LOAD_CPU);
      const d = new Child(spawn(cmd[0], cmd.slice(1)), "drive");
      if ((await d.exited) !== 0) throw new Error(`drive failed: ${d.stderr}`);
      const r = json(d.stdout);
      return { startNs: r.startNs, endNs: r.endNs, count: r.runs };
    },
  };
  const cReport: Consumer["report"] = (consumer, lines) => {
    const r = json(consumer.stderr);
    return lines ? { received: lines.lines, lost: r.lost, lastNs: lines.lastNs } : { received: r.received, lost: r.lost, lastNs: r.lastNs };
  };
  const cCount = "C: libbpf ring_buffer__poll, each event read";
  const cPrint = "C: libbpf, a printf line per event";
  const consumers: Consumer[] = [
    { name: cCount, cmd: () => [tool("consume"), tool("producer.bpf.o"), "samples"], printsLines: false, ready: /Attached/, report: cReport },
    { name: "tsbpf Node program: consume(), decoded objects", cmd: () => plainNode(nodeConsumer, producer, "samples"), env: nodeEnv, printsLines: false, peer: cCount, ready: /Attached/, report: nodeReport },
    { name: cPrint, cmd: () => [tool("consume"), tool("producer.bpf.o"), "samples", "--print"], printsLines: true, ready: /Attached/, report: cReport },
    { name: "tsbpf run: a table line per event", cmd: () => [tsbpf, "run", producer], printsLines: true, peer: cPrint, ready: /Attached/, report: tsbpfRunReport },
  ];
  const results = await roundRobin(consumers, load);
  const capacity = await drainCapacity(producer);
  return [
    `${ringEvents.toLocaleString("en")} events of 64 bytes per run, RingBuf of 1 MiB, BPF_PROG_TEST_RUN in calls of ${repeat.toLocaleString("en")} repetitions; ${runs} runs per consumer, round-robin; median (and each run).`,
    "",
    ...outcomeTable(results),
    "",
    "Resident memory of each consumer over its last run (sampled every 250 ms; first, quartiles, last):",
    "",
    ...results.map(({ consumer, outcomes }) => `- ${consumer.name}: ${rssSeries(outcomes[outcomes.length - 1].rssKb)}`),
    "",
    `Decoding alone: the buffer filled with ${DRAIN_FILL.toLocaleString("en")} events by test runs, then emptied (libbpf's ring_buffer__consume; the runtime's poll()), ${DRAIN_ROUNDS} times per process, in one process on CPU ${CONSUMER_CPU}; ${runs} processes each, alternating; median:`,
    "",
    ...capacity,
  ];
}

const DRAIN_ROUNDS = 200;
/** Of the 14,563 records of 72 bytes that 1 MiB holds. */
const DRAIN_FILL = 14_000;

/** ns per event of emptying a full buffer: C against the runtime, nothing else running. */
async function drainCapacity(producer: string): Promise<string[]> {
  const sides = [
    { name: "C: libbpf ring_buffer__consume", cmd: [tool("consume"), tool("producer.bpf.o"), "samples", "--drain", String(DRAIN_ROUNDS), String(DRAIN_FILL)], ns: [] as number[] },
    { name: "tsbpf runtime: poll(), decoded objects", cmd: plainNode(nodeConsumer, producer, "samples", "--drain", String(DRAIN_ROUNDS), String(DRAIN_FILL)), ns: [] as number[] },
  ];
  for (let i = 0; i < runs; i++)
    for (const side of sides)
      await locked(async () => {
        await quiet();
        const cmd = placed(side.cmd, CONSUMER_CPU);
        const out = execFileSync(cmd[0], cmd.slice(1), { encoding: "utf8", env: { ...process.env, ...nodeEnv } });
        const r = json(out);
        side.ns.push(r.ns / r.events);
      });
  const c = median(sides[0].ns);
  return [
    "| reader | ns per event | events/s | × C |",
    "| --- | ---: | ---: | ---: |",
    ...sides.map((side) => {
      const ns = median(side.ns);
      return `| ${side.name} | ${ns.toFixed(1)} (${side.ns.map((x) => x.toFixed(1)).join(" / ")}) | ${fmtRate(1e9 / ns)} | ${(c / ns).toFixed(2)} |`;
    }),
  ];
}

// ---- syscall: an event per getppid() ----

async function syscallBench(): Promise<string[]> {
  let loop: Child | undefined;
  const load: Load = {
    prepare: async () => {
      const cmd = placed([tool("getppid-loop"), String(syscalls)], LOAD_CPU);
      loop = new Child(spawn(cmd[0], cmd.slice(1), { stdio: ["pipe", "pipe", "inherit"] }), "getppid-loop");
      await loop.waitFor(/ready/);
      return loop.pid;
    },
    run: async () => {
      loop!.process.stdin!.write("go\n");
      if ((await loop!.exited) !== 0) throw new Error("getppid-loop failed");
      const r = json(loop!.stdout);
      return { startNs: r.startNs, endNs: r.endNs, count: r.calls };
    },
  };
  const bpftraceProg = 'BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /pid == $1/ { printf("%d %d %s %llu\\n", pid, tid, comm, nsecs); }';
  const events = join(here, "getppid-events.ts");
  const printf = join(here, "getppid-printf.ts");
  const consumers: Consumer[] = [
    {
      name: "bpftrace: printf",
      cmd: (pid) => ["bpftrace", "-e", bpftraceProg, String(pid)],
      printsLines: true,
      ready: /^ready$/m,
      report: (_, lines) => ({ received: lines!.lines, lost: [...lines!.other.matchAll(/Lost (\d+) events/g)].reduce((a, m) => a + Number(m[1]), 0), lastNs: lines!.lastNs }),
    },
    { name: "tsbpf run: RingBuf, a table line per event", cmd: (pid) => [tsbpf, "run", events, "--param", `TARGET_PID=${pid}`], printsLines: true, ready: /Attached/, report: tsbpfRunReport },
    { name: "tsbpf run: printf", cmd: (pid) => [tsbpf, "run", printf, "--param", `TARGET_PID=${pid}`], printsLines: true, ready: /Attached/, report: tsbpfRunReport },
    { name: "tsbpf Node program: RingBuf, decoded objects", cmd: (pid) => plainNode(nodeConsumer, events, "calls", `TARGET_PID=${pid}`), env: nodeEnv, printsLines: false, ready: /Attached/, report: nodeReport },
    { name: "tsbpf Node program: printf lines", cmd: (pid) => plainNode(nodeConsumer, printf, "printf", `TARGET_PID=${pid}`), env: nodeEnv, printsLines: false, ready: /Attached/, report: nodeReport },
  ];
  const results = await roundRobin(consumers, load);
  return [
    `${syscalls.toLocaleString("en")} getppid() calls per run, each an event (pid, tid, comm, ktime) for the tool watching that process; ${runs} runs per tool, round-robin; median (and each run). Buffers: tsbpf's RingBuf and printf's 4 MiB, bpftrace's perf buffers 64 pages per CPU (its default). Lines go through a pipe to a line counter at the measured processes' priority.`,
    "",
    ...outcomeTable(results),
  ];
}

interface Results {
  consumer: Consumer;
  outcomes: (Outcome & { wasQuiet: boolean })[];
}

async function roundRobin(consumers: Consumer[], load: Load): Promise<Results[]> {
  const results: Results[] = consumers.map((consumer) => ({ consumer, outcomes: [] }));
  // A first run of each, not counted: tsbpf's cache, the page cache and bpftrace's BTF parse warm alike.
  for (const r of results) await locked(() => measureConsumer(r.consumer, load));
  for (let i = 0; i < runs; i++)
    for (const r of results) {
      const o = await locked(async () => {
        const wasQuiet = await quiet();
        return { ...(await measureConsumer(r.consumer, load)), wasQuiet };
      });
      r.outcomes.push(o);
      const when = `${o.wasQuiet ? "" : "machine busy, "}${(o.stolen * 100).toFixed(0)} % stolen`;
      process.stderr.write(`${r.consumer.name}: ${fmtRate(o.rate)} events/s, ${o.lost} lost, ${o.received} received, load ${fmtRate(o.loadRate)}/s, ${when}\n`);
    }
  return results;
}

const fmtRate = (r: number): string => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M` : `${(r / 1e3).toFixed(0)} k`);

/** The consumers' figures; `stolen`: the hypervisor's share of the CPUs in each run (* when the run began on a busy machine). */
function outcomeTable(results: Results[]): string[] {
  const rateOf = (r: Results) => median(r.outcomes.map((o) => o.rate));
  const lines = [
    `| consumer | events/s received | × its peer | lost (of each run's events) | CPU per 10⁶ events | load's own rate | stolen |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const { consumer, outcomes } of results) {
    const rate = median(outcomes.map((o) => o.rate));
    const each = outcomes.map((o) => fmtRate(o.rate)).join(" / ");
    const lost = outcomes.map((o) => o.lost.toLocaleString("en")).join(" / ");
    const cpu = median(outcomes.map((o) => o.cpuMsPerMillion));
    const loadRate = median(outcomes.map((o) => o.loadRate));
    const stolen = outcomes.map((o) => `${(o.stolen * 100).toFixed(0)}${o.wasQuiet ? "" : "*"}`).join(" / ");
    const peer = results.find((r) => r.consumer.name === consumer.peer) ?? results[0];
    const ratio = peer.consumer === consumer ? "1" : `${(rate / rateOf(peer)).toFixed(2)} × ${peer.consumer.name}`;
    lines.push(`| ${consumer.name} | **${fmtRate(rate)}** (${each}) | ${ratio} | ${lost} | ${(cpu / 1000).toFixed(2)} s | ${fmtRate(loadRate)}/s | ${stolen} % |`);
  }
  return lines;
}

function rssSeries(kb: number[]): string {
  if (!kb.length) return "n/a";
  const at = (q: number) => kb[Math.min(kb.length - 1, Math.round(q * (kb.length - 1)))];
  return [0, 0.25, 0.5, 0.75, 1].map((q) => `${(at(q) / 1024).toFixed(1)}`).join(" → ") + ` MB (${kb.length} samples, max ${(Math.max(...kb) / 1024).toFixed(1)} MB)`;
}

// ---- startup: opensnoop, attached and exited ----

async function startupBench(): Promise<string[]> {
  const example = join(packageRoot, "examples", "opensnoop.ts");
  const bt = join(packageRoot, "bench", "opensnoop.bt");
  const nodeStart = join(packageRoot, "dist", "bench", "events", "node-start.js");
  const all = [
    series("bpftrace bench/opensnoop.bt (exits once attached)", () => ({ cmd: ["bpftrace", bt, "1"] })),
    series("tsbpf run examples/opensnoop.ts --duration 0, cached", () => ({ cmd: [tsbpf, "run", example, "--duration", "0", "--timings"] })),
    series("Node program: open() (cached), events(), attach(), close", () => ({ cmd: plainNode(nodeStart, example), env: nodeEnv })),
  ];
  await locked(async () => {
    for (const s of all) timeProcess(s.make().cmd, s.make().env); // warm the caches alike
    timeRoundRobin(all, startupRuns);
  });
  return [
    `${startupRuns} runs per series, round-robin; median wall time of the whole process.`,
    "",
    ...startupTable(all),
    "",
    "Where `tsbpf run`'s time goes (medians, ms):",
    "",
    ...phaseTable(all.slice(1, 2)),
  ];
}

async function main(): Promise<void> {
  const missing = ["bpftrace", "gcc", "flock"].filter((c) => !installed(c));
  if (!existsSync("/usr/include/bpf/libbpf.h")) missing.push("libbpf's headers");
  if (missing.length) {
    process.stderr.write(`bench: ${missing.join(", ")} missing (apt-get install bpftrace gcc libbpf-dev util-linux)\n`);
    process.exit(1);
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write("bench: run as root: it loads BPF programs\n");
    process.exit(1);
  }
  try {
    build();
    const out = [
      `${new Date().toISOString().slice(0, 16).replace("T", " ")}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}, ${cpus().length} CPUs, Node ${process.versions.node}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} at the start`,
      "",
    ];
    if (only.has("ring")) out.push("### Ring buffer into JavaScript objects", "", ...(await ringBench()), "");
    if (only.has("syscall")) out.push("### An event per getppid()", "", ...(await syscallBench()), "");
    if (only.has("startup")) out.push("### Start-up: opensnoop", "", ...(await startupBench()), "");
    out.push(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    process.stdout.write(out.join("\n") + "\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
