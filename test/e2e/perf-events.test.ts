// perf_event programs: CPU sampling (perfEvent) and timers (interval), attached on this kernel,
// counted against a busy loop the test runs; and what a bad event gets.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/perf", name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CPU time process `pid` has used so far, in seconds (utime + stime, in clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // from field 3, the state
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

test("perfEvent samples a busy process about 99 times a second of its CPU time; interval(100) ticks 10 times", async () => {
  const busy = spawn("sh", ["-c", "while :; do :; done"], { stdio: "ignore" });
  try {
    await using probe = await open(fixture("sampling.ts"), { params: { BUSY: busy.pid! } });
    const before = cpuSeconds(busy.pid!);
    probe.attach();
    await sleep(1000);
    probe.detach();
    const ran = cpuSeconds(busy.pid!) - before;
    const samples = Number(probe.map("busySamples").get(undefined) ?? 0);
    const ticks = Number(probe.map("ticks").get(undefined) ?? 0);
    // The loop gets what CPU the other work on this machine leaves it (the test suite's own
    // workers among it): the samples follow the CPU time it had, 99 for each second.
    expect(ran).toBeGreaterThan(0.2);
    expect(samples).toBeGreaterThan(99 * ran * 0.6);
    expect(samples).toBeLessThan(99 * ran * 1.4 + 5);
    expect(ticks).toBeGreaterThanOrEqual(8);
    expect(ticks).toBeLessThanOrEqual(12);
  } finally {
    busy.kill("SIGKILL");
  }
});

test("tsbpf run attaches a sampling program to every CPU and says so", () => {
  const r = tsbpf(["run", fixture("sampling.ts"), "--duration", "0"]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/Attached 2 programs \(perf_event:software\/cpu-clock on (\d+ CPUs|CPU 0), perf_event:software\/cpu-clock on CPU 0\)/);
});

test("a hardware event: attached where the machine has a PMU, a clear error where it has none", () => {
  const r = tsbpf(["run", fixture("hardware.ts"), "--duration", "0"]);
  if (existsSync("/sys/bus/event_source/devices/cpu")) {
    expect(r.code).toBe(0);
    return;
  }
  console.log("no hardware PMU here: checking the error instead of the samples");
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("hardware.ts:3:14: error: cannot open the hardware perf event 'cycles'");
  expect(r.stderr).toContain("hint: this machine has no hardware performance counters");
  expectNoStack(r.stderr);
});

test("a frequency the kernel refuses names its limit", () => {
  const r = tsbpf(["run", fixture("too-fast.ts"), "--duration", "0"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/too-fast\.ts:3:14: error: cannot open the software perf event 'cpu-clock' \(EINVAL\): 10000000 samples a second is more than this kernel allows \(\d+\)/);
  expectNoStack(r.stderr);
});

test("an unknown event, or one without a rate, is refused at its place with what there is", () => {
  // The editor's error too: the events are a union of their names.
  const unknown = compileErrorOf(fixture("bad-event.ts"))!;
  expect(unknown.format()).toMatch(/bad-event\.ts:2:53: error TS2820: Type '"cpu-clocks"' is not assignable to type .*Did you mean '"cpu-clock"'\?/);
  // What the types allow and the kernel would not: a rate of 0, a fraction of a millisecond.
  expect(compileErrorOf(fixture("no-rate.ts"))!.format()).toContain("no-rate.ts:2:85: error TSB1140: the frequency must be a positive integer literal");
  expect(compileErrorOf(fixture("bad-interval.ts"))!.format()).toContain("bad-interval.ts:2:30: error TSB1140: interval() takes its period in milliseconds, a positive integer literal");
});
