// The seed's first probe, end to end: build, load (kernel verifier), attach, trigger with
// `sync --file-system /`, read the line, detach. hello-syncfs.ts prints with printf (a ring
// buffer, as bpftrace's printf), hello-printk.ts the same line with printk (the trace pipe).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo, Running, tsbpf } from "../helpers/tsbpf-command.js";
import { helloLoaded, loadedPrograms, triggerSyncfs, tsbpfInstances } from "../helpers/kernel.js";
import { open } from "../../runtime/index.js";


describe("tsbpf run examples/hello-syncfs.ts", () => {
  test("prints a line for each syncfs and detaches on Ctrl-C, with no tracefs instance", async () => {
    const before = helloLoaded().length;
    const run = new Running(["run", repo("examples/hello-syncfs.ts")]);
    await run.waitFor("stderr", /Attached 1 program \(tracepoint:syscalls\/sys_enter_syncfs\)/);
    expect(helloLoaded().length).toBe(before + 1);
    // printf's lines come through a ring buffer: nothing of the run's own in tracefs (D154).
    expect(tsbpfInstances().filter((n) => n.startsWith(`tsbpf-${run.child.pid}-`))).toEqual([]);

    triggerSyncfs();
    await run.waitFor("stdout", /^syncfs called$/m);
    triggerSyncfs();
    await run.waitFor("stdout", /syncfs called\n[^]*syncfs called\n/);

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(helloLoaded().length).toBe(before);
  });

  test("--duration detaches and exits by itself", async () => {
    const started = Date.now();
    const run = new Running(["run", repo("examples/hello-syncfs.ts"), "--duration", "1"]);
    await run.waitFor("stderr", /Stopping in 1 s/);
    triggerSyncfs();
    expect(await run.exited).toBe(0);
    expect(run.stdout).toMatch(/^syncfs called$/m);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(helloLoaded()).toHaveLength(0);
  });

  test("a probe of 24 programs attaches them all, and none stays loaded after the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-many-"));
    try {
      const file = join(dir, "many.ts");
      const names = Array.from({ length: 24 }, (_, i) => `many${i}`);
      const programs = names.map((n, i) => `export const ${n} = tracepoint("syscalls/sys_enter_${["getpid", "syncfs", "close"][i % 3]}", () => { printk("${n}"); });`);
      writeFileSync(file, ['import { tracepoint, printk } from "tsbpf";', ...programs, ""].join("\n"));
      const r = tsbpf(["run", file, "--duration", "0"]);
      expect([r.code, r.stderr]).toEqual([0, expect.stringContaining("Attached 24 programs")]);
      expect(loadedPrograms().filter((p) => p.name && names.includes(p.name))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tsbpf run examples/hello-printk.ts", () => {
  test("prints a timestamped line for each syncfs, read through a tracefs instance of its own", async () => {
    const run = new Running(["run", repo("examples/hello-printk.ts")]);
    await run.waitFor("stderr", /Attached 1 program \(tracepoint:syscalls\/sys_enter_syncfs\)/);
    expect(tsbpfInstances().filter((n) => n.startsWith(`tsbpf-${run.child.pid}-`))).toHaveLength(1);

    triggerSyncfs();
    const [line] = await run.waitFor("stdout", /^(\d\d):(\d\d):(\d\d) syncfs called$/m);
    const [h, m, s] = line.split(" ")[0].split(":").map(Number);
    const now = new Date();
    const skew = Math.abs(now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds() - (h * 3600 + m * 60 + s));
    expect(Math.min(skew, 86400 - skew)).toBeLessThanOrEqual(5);

    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    expect(tsbpfInstances().filter((n) => n.startsWith(`tsbpf-${run.child.pid}-`))).toEqual([]);
  });

  test("lines already in the trace pipe before the run are not reported", async () => {
    // Leave an unread line in the pipe: attach through the runtime API, trigger, detach.
    const probe = await open(repo("examples/hello-printk.ts"));
    probe.attach();
    triggerSyncfs();
    probe.close();
    const run = new Running(["run", repo("examples/hello-printk.ts"), "--duration", "0.5"]);
    expect(await run.exited).toBe(0);
    expect(run.stdout).toBe("");
  });
});
