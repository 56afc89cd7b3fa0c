// The examples that get data out of the kernel, end to end: each triggered by a process whose pid
// the test knows, and its decoded output checked against what that process did.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { runLater as later } from "../helpers/kernel.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";

const MISSING = "/nonexistent/tsbpf-opensnoop-test";

test("opensnoop pairs each openat with its result: pid, comm, fd or errno, flags and path", async () => {
  const cat = later(`cat /etc/hostname ${MISSING} 2>/dev/null`);
  const run = new Running(["run", repo("examples/opensnoop.ts"), "--param", `TARGET_PID=${cat.pid}`, "--duration", "5"]);
  await run.waitFor("stderr", /Attached 2 programs/);
  await cat.go();
  await run.waitFor("stdout", new RegExp(`^ +${cat.pid} cat +-1 +2 +\\d+ ${MISSING}$`, "m"));
  expect(run.stdout).toMatch(new RegExp(`^ +${cat.pid} cat +[3-9] +0 +\\d+ /etc/hostname$`, "m"));
  expect(run.stdout.split("\n")[0]).toMatch(/^ +PID COMM +FD +ERR +FLAGS PATH$/);
  // Only the watched process.
  expect(run.stdout.split("\n").slice(1).filter((l) => l.trim() && !l.includes(` ${cat.pid} `))).toEqual([]);
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
  expectNoStack(run.stderr);
});

test("opensnoop --json gives one object per event", async () => {
  const cat = later(`cat ${MISSING} 2>/dev/null`);
  const run = new Running(["run", repo("examples/opensnoop.ts"), "--param", `TARGET_PID=${cat.pid}`, "--duration", "5", "--json"]);
  await run.waitFor("stderr", /Attached/);
  await cat.go();
  const [line] = await run.waitFor("stdout", new RegExp(`^.*${MISSING}.*$`, "m"));
  const event = JSON.parse(line);
  expect(event).toMatchObject({ type: "event", map: "events", data: { pid: cat.pid, comm: "cat", fd: -1, err: 2, path: MISSING } });
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
});

test("execsnoop shows each program started, with its parent's pid read from the kernel's task_struct", async () => {
  const child = later("true");
  const run = new Running(["run", repo("examples/execsnoop.ts"), "--param", `TARGET_PPID=${process.pid}`, "--duration", "5"]);
  await run.waitFor("stderr", /Attached 1 program/);
  await child.go();
  // `sh -c 'read _ && exec true'`: the exec keeps the shell's pid; its parent is this process.
  await run.waitFor("stdout", new RegExp(`^ +${child.pid} +${process.pid} +${process.getuid!()} true +\\S*/true$`, "m"));
  expect(run.stdout.split("\n")[0]).toMatch(/^ +PID +PPID +UID COMM +FILENAME$/);
  // Only this process's children.
  expect(run.stdout.split("\n").slice(1).filter((l) => l.trim() && !new RegExp(`^ +\\d+ +${process.pid} `).test(l))).toEqual([]);
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
  expectNoStack(run.stderr);
});

/** A file on a mounted FUSE filesystem, if there is one here (sshfs, rclone, …). */
function fileOnFuse(): string | undefined {
  for (const line of readFileSync("/proc/self/mounts", "utf8").split("\n")) {
    const [, dir, type] = line.split(" ");
    if (!type?.startsWith("fuse.") && type !== "fuse") continue;
    try {
      const entry = readdirSync(dir, { withFileTypes: true }).find((e) => e.isFile());
      if (entry) return join(dir, entry.name);
    } catch {
      // not ours to read
    }
  }
  return undefined;
}

test("fuse-open prints the name of each file opened on a FUSE filesystem, where the kernel has kprobes", async () => {
  const tried = tsbpf(["run", repo("examples/fuse-open.ts"), "--duration", "0"]);
  if (/this kernel has no kprobes/.test(tried.stderr)) {
    // It loaded (the verifier accepted it: examples-load.test.ts); attaching is what this kernel cannot do.
    console.log("attach skipped: this kernel has no kprobes (CONFIG_KPROBES off)");
    expect(tried.stderr).toMatch(/fuse-open\.ts:\d+:\d+: error: cannot attach kprobe to 'fuse_open(_common)?'/);
    return;
  }
  expect(tried.code).toBe(0);
  const file = fileOnFuse();
  if (!file) {
    console.log("open skipped: no FUSE filesystem is mounted here to open a file on");
    return;
  }
  const run = new Running(["run", repo("examples/fuse-open.ts"), "--duration", "5"]);
  await run.waitFor("stderr", /Attached 1 program/);
  closeSync(openSync(file, "r"));
  await run.waitFor("stdout", new RegExp(` ${basename(file).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
});

test("readlatency prints a log2 histogram of the watched process's reads at exit", async () => {
  const cat = later("cat /etc/hostname /etc/hostname /etc/hostname");
  const run = new Running(["run", repo("examples/readlatency.ts"), "--param", `TARGET_PID=${cat.pid}`, "--duration", "3"]);
  await run.waitFor("stderr", /Attached 2 programs/);
  await cat.go();
  expect(await run.exited).toBe(0);
  const lines = run.stdout.trim().split("\n");
  expect(lines[0]).toBe("@readMicroseconds: ");
  const counts = lines.slice(1).map((l) => {
    const m = /^\[(\d+)(?:, (\d+)\))?\]? +(\d+) \|[@ ]{52}\|$/.exec(l) ?? /^\[(\d+[KM]?)(?:, (\d+[KM]?)\))? +(\d+) \|[@ ]{52}\|$/.exec(l);
    expect(m).not.toBeNull();
    return Number(m![3]);
  });
  // cat reads each file until a read gives 0: at least 6 reads, and no thousands.
  const total = counts.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(6);
  expect(total).toBeLessThan(200);
});

test("runqlat prints a log2 histogram of run-queue waits, read from the scheduler's task_struct arguments", async () => {
  const run = new Running(["run", repo("examples/runqlat.ts"), "--duration", "2"]);
  await run.waitFor("stderr", /Attached 3 programs \(tp_btf:sched_wakeup, tp_btf:sched_wakeup_new, tp_btf:sched_switch\)/);
  // Wake-ups to wait for: a few short sleeps.
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
  expect(await run.exited).toBe(0);
  const lines = run.stdout.trim().split("\n");
  expect(lines[0]).toBe("@runQueueMicroseconds: ");
  const counts = lines.slice(1).map((l) => Number(/^\[[^\]]+\]? +(\d+) \|[@ ]{52}\|$/.exec(l)?.[1] ?? NaN));
  expect(counts.every((n) => Number.isInteger(n))).toBe(true);
  // This test's own timers woke this process 20 times at least.
  expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20);
  expectNoStack(run.stderr);
});

test("vfsstat --interval 1 --clear counts each second afresh", async () => {
  const run = new Running(["run", repo("examples/vfsstat.ts"), "--interval", "1", "--clear", "--duration", "4.5"]);
  await run.waitFor("stderr", /Attached 5 programs/);
  await run.waitFor("stdout", /^\d\d:\d\d:\d\d$/m); // a first interval printed: the next starts afresh
  const file = join(tmpdir(), `tsbpf-vfsstat-${process.pid}`);
  const fd = openSync(file, "w");
  for (let i = 0; i < 25; i++) fsyncSync(fd);
  closeSync(fd);
  rmSync(file);
  expect(await run.exited).toBe(0);
  const fsyncs = [...run.stdout.matchAll(/^@fsync: (\d+)$/gm)].map((m) => Number(m[1]));
  // One interval holds our 25 (and whatever else the machine synced); a later one starts from zero again.
  const ours = fsyncs.findIndex((n) => n >= 25);
  expect(ours).toBeGreaterThan(0);
  expect(Math.min(...fsyncs.slice(ours + 1))).toBeLessThan(25);
  for (const map of ["read", "write", "open", "create"]) expect(run.stdout).toMatch(new RegExp(`^@${map}: \\d+$`, "m"));
});

test("open-by-pid prints the watched process's opens with printf, whole paths included", async () => {
  const long = `/tmp/${"x".repeat(150)}-tsbpf-open-by-pid`;
  const cat = later(`cat ${long} 2>/dev/null`);
  const run = new Running(["run", repo("examples/open-by-pid.ts"), "--param", `TARGET_PID=${cat.pid}`, "--duration", "5"]);
  await run.waitFor("stderr", /Attached/);
  await cat.go();
  await run.waitFor("stdout", new RegExp(`^cat +${cat.pid} ${long} \\(flags 0\\)$`, "m")); // %#x of 0 is "0", as in C
  run.child.kill("SIGINT");
  expect(await run.exited).toBe(0);
  expectNoStack(run.stderr);
});

test("--json prints the maps as JSON too, one object per map, the largest last with --top", async () => {
  const run = new Running(["run", repo("examples/syscall-counts.ts"), "--duration", "1", "--json", "--top", "3"]);
  expect(await run.exited).toBe(0);
  const objects = run.stdout
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l) as { type: string; map: string; data: [unknown, number][] });
  expect(objects.map((o) => [o.type, o.map])).toEqual([
    ["map", "bySyscall"],
    ["map", "byProcess"],
    ["map", "total"],
  ]);
  const bySyscall = objects[0].data;
  expect(bySyscall.length).toBeLessThanOrEqual(3);
  expect(bySyscall.every(([name]) => typeof name === "string")).toBe(true); // SyscallNr keys by name
  expect(bySyscall.map(([, n]) => n)).toEqual([...bySyscall.map(([, n]) => n)].sort((a, b) => a - b));
  expect(objects[2].data[0][1]).toBeGreaterThan(0);
});
