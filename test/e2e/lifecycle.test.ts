// Whatever ends a Node program that uses the runtime, nothing of its probe stays in the kernel:
// every program, map and link it loaded is released, and its tracefs instance removed, on
// close(), `await using`, process exit, SIGINT / SIGTERM / SIGHUP and an uncaught error (and the
// process still ends as Node ends it: by the signal, or with the error printed and exit code 1).
import { spawn } from "node:child_process";
import { repo } from "../helpers/tsbpf-command.js";
import { bpfObjectsOf, freed, tsbpfInstances, type BpfObjectKind } from "../helpers/kernel.js";
import { runtimeScript } from "../helpers/runtime-script.js";
import { open } from "../../runtime/index.js";

const PROBE = repo("test/fixtures/pins/syncfs-counts.ts");

interface Ended {
  code: number | null;
  signal: string | null;
  stderr: string;
  /** The kernel's ids of what the program held when it was ready. */
  held: Record<BpfObjectKind, number[]>;
}

async function runScript(end: string, signal?: NodeJS.Signals): Promise<Ended> {
  const child = spawn(process.execPath, ["-e", runtimeScript(PROBE, end, "{ params: { TARGET: process.pid } }")], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  // "close", not "exit": what it printed is read to the end.
  const exited = new Promise<[number | null, string | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
  const deadline = Date.now() + 20_000;
  while (!stdout.includes("ready")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the script did not get ready:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const held = bpfObjectsOf(child.pid!);
  expectAttached(held);
  expect(tsbpfInstances()).toHaveLength(1);
  if (signal) child.kill(signal);
  const [code, sig] = await exited;
  return { code, signal: sig, stderr, held };
}

/** Two programs, each attached; the maps calls and total (and those the compiler adds: the params' .rodata); the object's BTF. */
function expectAttached(held: Ended["held"]): void {
  expect([held.prog.length, held.link.length, held.btf.length]).toEqual([2, 2, 1]);
  expect(held.map.length).toBeGreaterThanOrEqual(2);
}

async function expectReleased(held: Ended["held"]): Promise<void> {
  for (const kind of ["link", "prog", "map", "btf"] as const) expect([kind, await freed(kind, held[kind])]).toEqual([kind, held[kind]]);
  expect(tsbpfInstances()).toEqual([]);
}

describe("a program using the runtime leaves nothing loaded", () => {
  test.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)("ended by %s, which it still dies of", async (signal) => {
    const r = await runScript("setInterval(() => {}, 1000);", signal);
    expect([r.code, r.signal]).toEqual([null, signal]);
    await expectReleased(r.held);
  });

  test("ended by an uncaught error, which Node still prints before exiting with 1", async () => {
    const r = await runScript("setTimeout(() => { throw new Error('boom in the probe user'); }, 100);");
    expect([r.code, r.signal]).toEqual([1, null]);
    expect(r.stderr).toMatch(/^Error: boom in the probe user$/m);
    await expectReleased(r.held);
  });

  test("ended by an unhandled rejection", async () => {
    const r = await runScript("setTimeout(() => Promise.reject(new Error('rejected')), 100);");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: rejected/);
    await expectReleased(r.held);
  });

  test("ended by process.exit(), with its exit code", async () => {
    const r = await runScript("setTimeout(() => process.exit(3), 100);");
    expect([r.code, r.signal]).toEqual([3, null]);
    await expectReleased(r.held);
  });
});

describe("in the same process", () => {
  /** What this process holds now that it did not hold `before`: the probe's. */
  function heldSince(before: Ended["held"]): Ended["held"] {
    const now = bpfObjectsOf(process.pid);
    const added = (kind: BpfObjectKind) => now[kind].filter((id) => !before[kind].includes(id));
    return { prog: added("prog"), map: added("map"), link: added("link"), btf: added("btf") };
  }
  const stillHeld = (held: Ended["held"]) => {
    const now = bpfObjectsOf(process.pid);
    return (Object.keys(held) as BpfObjectKind[]).flatMap((kind) => held[kind].filter((id) => now[kind].includes(id)).map((id) => `${kind} ${id}`));
  };

  test("close() releases every program, map and link", async () => {
    const before = bpfObjectsOf(process.pid);
    const probe = await open(PROBE, { params: { TARGET: process.pid } });
    probe.openTracePipe();
    probe.attach();
    const held = heldSince(before);
    expectAttached(held);
    expect(tsbpfInstances()).toHaveLength(1);
    probe.close();
    expect(stillHeld(held)).toEqual([]);
    await expectReleased(held);
    expect(() => probe.map("calls").get(0)).toThrow("map 'calls' cannot be read: the probe is closed");
  });

  test("`await using` releases them at the end of its block", async () => {
    const before = bpfObjectsOf(process.pid);
    let held: Ended["held"];
    {
      await using probe = await open(PROBE, { params: { TARGET: process.pid } });
      probe.openTracePipe();
      probe.attach();
      held = heldSince(before);
      expectAttached(held);
    }
    expect(stillHeld(held)).toEqual([]);
    await expectReleased(held);
  });
});
