// printk's lines for several readers at once: each `tsbpf run` reads a tracefs instance of its
// own (docs/decisions.md, D40), removes it however it ends, and removes those of runs that
// were SIGKILLed. Where no instance can be made it falls back to the global trace_pipe.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readlinkSync, rmdirSync } from "node:fs";
import { expectNoStack, repo, Running } from "../helpers/tsbpf-command.js";
import { helloLoaded, triggerSyncfs, tsbpfInstances } from "../helpers/kernel.js";
import { runtimeScript } from "../helpers/runtime-script.js";

const TRACEFS = "/sys/kernel/tracing";
const HELLO = repo("examples/hello-printk.ts");
const SYNCFS_LINE = /^\d\d:\d\d:\d\d syncfs called$/m;

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A reader of the global trace_pipe, as `cat /sys/kernel/tracing/trace_pipe` in a shell; resolves once it has the pipe open. */
async function globalReader(): Promise<{ child: ChildProcess; seen: () => string; stop: () => Promise<void> }> {
  const child = track(spawn("cat", [`${TRACEFS}/trace_pipe`], { stdio: ["ignore", "pipe", "inherit"] }));
  let seen = "";
  child.stdout!.on("data", (d) => (seen += d));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve())); // "close": what it read, read to the end
  // An fd listed may be closed before it is read (the shell starting cat closes its own): skipped.
  const target = (fd: string) => {
    try {
      return readlinkSync(`/proc/${child.pid}/fd/${fd}`);
    } catch {
      return undefined;
    }
  };
  const fds = () => readdirSync(`/proc/${child.pid}/fd`).map(target);
  await until("cat has opened the global trace_pipe", () => child.exitCode === null && fds().includes(`${TRACEFS}/trace_pipe`));
  return { child, seen: () => seen, stop: () => (child.kill(), exited) };
}

/** tsbpf in a mount namespace of its own where tracefs's instances/ is a read-only tmpfs. */
const NO_INSTANCES = ["unshare", "-m", "sh", "-c", `mount -t tmpfs -o ro none ${TRACEFS}/instances && exec "$0" "$@"`];

/** Every process a test starts: ended after each test, even one that failed half-way. */
const started: ChildProcess[] = [];
const track = (child: ChildProcess): ChildProcess => (started.push(child), child);
function start(args: string[], wrapper?: string[]): Running {
  const run = new Running(args, undefined, wrapper);
  track(run.child);
  return run;
}

afterEach(async () => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  expect(tsbpfInstances()).toEqual([]);
});

test("two runs at once both print each line, beside a reader of the global trace_pipe", async () => {
  const reader = await globalReader();
  try {
    const a = start(["run", HELLO]);
    const b = start(["run", HELLO]);
    await a.waitFor("stderr", /Attached 1 program/);
    await b.waitFor("stderr", /Attached 1 program/);
    expect(tsbpfInstances()).toHaveLength(2);
    triggerSyncfs();
    await a.waitFor("stdout", SYNCFS_LINE);
    await b.waitFor("stdout", SYNCFS_LINE);
    await until("the global reader sees the line", () => /bpf_trace_printk: syncfs called/.test(reader.seen()));
    a.child.kill("SIGINT");
    b.child.kill("SIGTERM");
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
    expect(a.stderr + b.stderr).not.toMatch(/EBUSY|error/);
    expect(reader.child.exitCode).toBeNull(); // still reading: nobody took its pipe
  } finally {
    await reader.stop();
  }
  expect(helloLoaded()).toEqual([]);
});

test("the instance of a SIGKILLed run is removed by the next run", async () => {
  const killed = start(["run", HELLO]);
  await killed.waitFor("stderr", /Attached/);
  const left = tsbpfInstances();
  expect(left).toEqual([expect.stringMatching(new RegExp(`^tsbpf-${killed.child.pid}-[0-9a-f]+$`))]);
  killed.child.kill("SIGKILL");
  await killed.exited;
  expect(tsbpfInstances()).toEqual(left); // nothing ran to remove it

  // A dead run's instance, but also a name tsbpf did not make: that one stays.
  const foreign = `${TRACEFS}/instances/tsbpf-notours`;
  mkdirSync(foreign);
  try {
    const next = start(["run", HELLO, "--duration", "1"]);
    await next.waitFor("stderr", /Attached/);
    expect(tsbpfInstances().filter((n) => left.includes(n))).toEqual([]);
    expect(tsbpfInstances()).toContain("tsbpf-notours");
    triggerSyncfs();
    expect(await next.exited).toBe(0);
    expect(next.stdout).toMatch(SYNCFS_LINE);
  } finally {
    rmdirSync(foreign);
  }
});

describe("a program using the runtime API leaves no instance behind", () => {
  async function runScript(end: string, signal?: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; stdout: string }> {
    const child = track(spawn(process.execPath, ["-e", runtimeScript(HELLO, end)], { stdio: ["ignore", "pipe", "ignore"] }));
    let stdout = "";
    child.stdout!.on("data", (d) => (stdout += d));
    // "close", not "exit": what it printed is read to the end.
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
    await until("the script has attached", () => stdout.includes("ready") || child.exitCode !== null, 20_000);
    expect(tsbpfInstances()).toHaveLength(1);
    if (signal) child.kill(signal);
    const [code, sig] = await exited;
    return { code, signal: sig, stdout };
  }

  test.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)("ended by %s, it still dies of the signal", async (signal) => {
    const r = await runScript("for await (const l of probe.traceLines()) console.log(l.message);", signal);
    expect([r.code, r.signal]).toEqual([null, signal]);
  });

  test("ended by an uncaught error", async () => {
    const r = await runScript("setTimeout(() => { throw new Error('boom'); }, 200);");
    expect(r.code).toBe(1);
  });

  test("ended by process.exit()", async () => {
    const r = await runScript("setTimeout(() => process.exit(3), 200);");
    expect(r.code).toBe(3);
  });
});

describe("where no tracefs instance can be made", () => {
  test("tsbpf run says so and reads the global trace_pipe", async () => {
    const run = start(["run", HELLO, "--duration", "2"], NO_INSTANCES);
    await run.waitFor("stderr", /Attached/);
    expect(run.stderr).toMatch(/cannot make a tracefs instance in \/sys\/kernel\/tracing\/instances \(EROFS\); reading printk's lines from the global \/sys\/kernel\/tracing\/trace_pipe/);
    triggerSyncfs();
    expect(await run.exited).toBe(0);
    expect(run.stdout).toMatch(SYNCFS_LINE);
  });

  test("a global trace_pipe already being read is a clear error naming its reader", async () => {
    const reader = await globalReader();
    try {
      const run = start(["run", HELLO, "--duration", "1"], NO_INSTANCES);
      expect(await run.exited).toBe(1);
      expect(run.stderr).toContain(`trace_pipe: error: ${TRACEFS}/trace_pipe is already being read by cat (pid ${reader.child.pid})`);
      expect(run.stderr).toContain(`hint: the kernel gives the global trace_pipe to one reader at a time: stop it (kill ${reader.child.pid}) and run again`);
      expectNoStack(run.stderr);
      expect(helloLoaded()).toEqual([]);
    } finally {
      await reader.stop();
    }
  });
});
