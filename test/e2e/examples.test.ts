// The language examples, end to end: compiled, verified, attached, triggered, and their output
// checked against the same facts computed here.
import { expectNoStack, repo, Running } from "../helpers/tsbpf-command.js";
import { syncfsLater, triggerSyncfs } from "../helpers/kernel.js";

test("pid-filter reports only the watched process", async () => {
  const watched = syncfsLater();
  const run = new Running(["run", repo("examples/pid-filter.ts"), "--param", `TARGET_PID=${watched.pid}`, "--duration", "3"]);
  await run.waitFor("stderr", /Attached/);
  triggerSyncfs(); // another process: not reported
  await watched.go();
  await run.waitFor("stdout", new RegExp(`syncfs by sync \\(pid ${watched.pid}, uid 0\\)`));
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
  expect(run.stdout.trim().split("\n")).toHaveLength(1);
});

test("pid-filter with the default param reports every process", async () => {
  const run = new Running(["run", repo("examples/pid-filter.ts"), "--duration", "3"]);
  await run.waitFor("stderr", /Attached/);
  const a = syncfsLater();
  const b = syncfsLater();
  await a.go();
  await b.go();
  await run.waitFor("stdout", new RegExp(`pid ${a.pid},[^]*pid ${b.pid},|pid ${b.pid},[^]*pid ${a.pid},`));
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
});

test("an unknown --param is named, with the ones the probe has", async () => {
  const run = new Running(["run", repo("examples/pid-filter.ts"), "--param", "TARGET=1", "--duration", "0"]);
  expect(await run.exited).toBe(1);
  expect(run.stderr).toContain("the probe has no param 'TARGET'");
  expect(run.stderr).toContain("TARGET_PID (u32)");
});

function facts(pid: number): string {
  const s = String(pid);
  const bits = pid.toString(2).split("").filter((c) => c === "1").length;
  let prime = pid >= 2;
  for (let d = 2; d * d <= pid; d++) if (pid % d === 0) prime = false;
  const sum = s.split("").reduce((a, c) => a + Number(c), 0);
  return `pid ${pid}: ${s.length} digits, digit sum ${sum}, ${bits} bits set (parity ${bits % 2}), prime ${prime ? 1 : 0}`;
}

test("pid-facts computes in the kernel what JavaScript computes here", async () => {
  const run = new Running(["run", repo("examples/pid-facts.ts"), "--duration", "5"]);
  await run.waitFor("stderr", /Attached/);
  const procs = [syncfsLater(), syncfsLater(), syncfsLater()];
  for (const p of procs) await p.go();
  for (const p of procs) await run.waitFor("stdout", new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${facts(p.pid).replace(/[()]/g, "\\$&")}$`, "m"));
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
});

test("task-report gathers the caller into structs and prints them", async () => {
  const run = new Running(["run", repo("examples/task-report.ts"), "--duration", "5"]);
  await run.waitFor("stderr", /Attached/);
  const p = syncfsLater();
  await p.go();
  const digits = String(p.pid);
  const sum = digits.split("").reduce((a, c) => a + Number(c), 0);
  await run.waitFor("stdout", new RegExp(`^\\d\\d:\\d\\d:\\d\\d sync pid ${p.pid} \\(tid ${p.pid}, uid 0\\): ${digits.length} digits, first ${digits[0]}, last ${digits[digits.length - 1]}, sum ${sum}$`, "m"));
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
});

test("syscall-counts counts one process's system calls by call and by process, named, printed at exit", async () => {
  const watched = syncfsLater();
  const run = new Running(["run", repo("examples/syscall-counts.ts"), "--param", `TARGET_PID=${watched.pid}`, "--duration", "2"]);
  await run.waitFor("stderr", /Attached/);
  await watched.go();
  expect(await run.exited).toBe(0);
  // The shell reads a line, then becomes sync, which calls syncfs once.
  expect(run.stdout).toContain("@bySyscall[syncfs]: 1\n");
  // Every call by its name: the shell's read, sync's execve, …
  expect(run.stdout).toMatch(/^@bySyscall\[read\]: \d+$/m);
  expect(run.stdout).toMatch(/^@bySyscall\[execve\]: \d+$/m);
  expect(run.stdout).not.toMatch(/^@bySyscall\[\d+\]/m);
  expect(run.stdout).toMatch(/@byProcess\[sync\]: \d+\n/);
  const byProcess = [...run.stdout.matchAll(/^@byProcess\[.*\]: (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
  const total = Number(/^@total: (\d+)$/m.exec(run.stdout)?.[1]);
  expect(total).toBe(byProcess);
  expectNoStack(run.stderr);
});
