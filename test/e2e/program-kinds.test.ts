// Program kinds added through the registry (compiler/kinds/, runtime/attach/): a raw tracepoint
// attached in the kernel and hit by a process of the test's, and the errors the registry gives.
import { execFileSync } from "node:child_process";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { loadedPrograms, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/kinds", name);
/** syncfs(2)'s number: what the kernel's raw sys_enter passes as its second argument. */
const SYS_SYNCFS: Record<string, number> = { x64: 306, arm64: 267 };

describe("rawTracepoint", () => {
  test("attaches as raw_tp/<event>, reads its arguments, and is gone after close", async () => {
    const nr = SYS_SYNCFS[process.arch];
    if (nr === undefined) return console.log(`skipped: no syncfs number known for ${process.arch}`);
    const child = syncfsLater();
    const probe = await open(fixture("raw-sys-enter.ts"), { params: { TARGET: child.pid, SYSCALL: nr } });
    let id: number | undefined;
    try {
      expect(probe.programs.map((p) => [p.kind, p.section])).toEqual([["rawTracepoint", "raw_tp/sys_enter"]]);
      probe.openTracePipe();
      expect(probe.attach().map((l) => l.description)).toEqual(["raw_tp:sys_enter"]);
      const loaded = loadedPrograms().filter((p) => p.name === "enter" && p.type === "raw_tracepoint");
      expect(loaded).toHaveLength(1);
      id = loaded[0].id;
      await child.go();
      const lines: string[] = [];
      for await (const l of probe.traceLines(AbortSignal.timeout(10_000))) {
        lines.push(l.message);
        break;
      }
      expect(lines).toEqual([`raw sys_enter ${nr} by ${child.pid}`]);
    } finally {
      probe.close();
    }
    expect(loadedPrograms().filter((p) => p.id === id)).toEqual([]);
  });

  test("bpftool reads the object's section as a raw tracepoint", () => {
    const out = `/tmp/tsbpf-raw-${process.pid}.bpf.o`;
    expect(tsbpf(["build", fixture("raw-sys-enter.ts"), "-o", out]).code).toBe(0);
    try {
      const pin = `/sys/fs/bpf/tsbpf-raw-${process.pid}`;
      execFileSync("bpftool", ["prog", "load", out, pin, "type", "raw_tracepoint"]);
      try {
        const shown = JSON.parse(execFileSync("bpftool", ["prog", "show", "pinned", pin, "-j"], { encoding: "utf8" })) as { type: string; name: string };
        expect([shown.type, shown.name]).toEqual(["raw_tracepoint", "enter"]);
      } finally {
        execFileSync("rm", ["-f", pin]);
      }
    } finally {
      execFileSync("rm", ["-f", out]);
    }
  });

  test("a raw tracepoint this kernel lacks is named at its line, with the nearest it has", () => {
    const r = tsbpf(["run", fixture("raw-misspelt.ts"), "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/raw-misspelt\.ts:3:39: error: raw tracepoint 'sched_swich' does not exist on this kernel/);
    expect(r.stderr).toContain("did you mean 'sched_switch'");
    expectNoStack(r.stderr);
  });

  test("reading past the tracepoint's last argument fails at attach, with what to check", () => {
    const r = tsbpf(["run", fixture("raw-past-last-arg.ts"), "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/raw-past-last-arg\.ts:4:14: error: cannot attach to raw tracepoint 'sched_switch' \(EINVAL\)/);
    expect(r.stderr).toContain("more arguments (ctx.arg(i)) than 'sched_switch' has");
    expectNoStack(r.stderr);
  });

  test("a name with a category is refused at compile time, with the name meant", () => {
    const e = compileErrorOf(fixture("raw-with-category.ts"));
    expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TSB1102", 3, 39]);
    expect(e?.options.hint).toContain('"sched_switch"');
  });
});

describe("tpBtf", () => {
  test("loads as tp_btf/<event> against the kernel's BTF, attaches, and counts the watched process's switches", async () => {
    await using probe = await open(fixture("tp-btf-switch.ts"), { params: { TARGET: process.pid } });
    expect(probe.programs.map((p) => [p.kind, p.section])).toEqual([["tpBtf", "tp_btf/sched_switch"]]);
    expect(probe.attach().map((l) => l.description)).toEqual(["tp_btf:sched_switch"]);
    expect(loadedPrograms().filter((p) => p.name === "onSwitch" && p.type === "tracing")).toHaveLength(1);
    // This process sleeps a few times: each is a switch away from it.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
    expect(probe.map("switches").get(0) as bigint).toBeGreaterThanOrEqual(5n);
  });

  test("a BTF tracepoint this kernel lacks is named at its line when the load fails, with the nearest it has", () => {
    const r = tsbpf(["run", fixture("tp-btf-misspelt.ts"), "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tp-btf-misspelt\.ts:3:31: error: BTF tracepoint 'sched_swich' does not exist on this kernel/);
    expect(r.stderr).toContain("did you mean 'sched_switch'");
    expectNoStack(r.stderr);
  });
});

test("a helper that means nothing in a kind of program is an error at the call, through the functions that reach it", () => {
  const e = compileErrorOf(fixture("xdp-calls-pid.ts"));
  expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TSB1109", 4, 10]);
  expect(e?.message).toBe(
    "pid() cannot be called from xdp programs (program 'filter' calls it through 'caller'): they describe the current task, and a packet is handled in interrupt context, where the current task is whichever one the CPU happened to interrupt",
  );
});

test("kstack() in an xdp program is an error at the call: the kernel walks stacks for tracing programs only", () => {
  const e = compileErrorOf(fixture("xdp-calls-kstack.ts"));
  expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TSB1109", 6, 20]);
  expect(e?.message).toMatch(/^kstack\(\) cannot be called from xdp programs: the kernel walks stacks for tracing programs only/);
});
