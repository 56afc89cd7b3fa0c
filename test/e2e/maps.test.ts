// Maps the probe declares: created when it loads, written by its programs in the kernel, read
// and written from user space through the runtime, shown field by field by bpftool.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAsync } from "../../compiler/compile.js";
import { TsbpfError } from "../../contract/errors.js";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { syncfsFromThisProcess, syncfsLater, triggerSyncfs } from "../helpers/kernel.js";
import { libLLVMs } from "../helpers/libllvm-versions.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/maps", name);

const mapsNamed = (name: string) =>
  (JSON.parse(execFileSync("bpftool", ["map", "show", "-j"], { encoding: "utf8" })) as { name: string }[]).filter((m) => m.name === name).length;

describe("ArrayMap", () => {
  test("the kernel's writes are read from user space, value by value and struct by struct", async () => {
    const probe = await open(fixture("counters.ts"), { params: { TARGET: process.pid } });
    try {
      expect(probe.mapInfos.map((m) => [m.name, m.kind, m.maxEntries])).toEqual([
        ["hits", "ArrayMap", 4],
        ["last", "ArrayMap", 1],
      ]);
      const hits = probe.map("hits");
      // Every entry of an array exists from the start, zeroed; user space writes one first.
      expect(hits.entries()).toEqual([[0, 0n], [1, 0n], [2, 0n], [3, 0n]]);
      hits.set(0, 100n);
      probe.attach();
      syncfsFromThisProcess();
      syncfsFromThisProcess();
      probe.detach();
      expect(hits.entries()).toEqual([[0, 102n], [1, 20n], [2, 0n], [3, 99n]]);
      const comm = readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim();
      expect(probe.map("last").get(0)).toEqual({ pid: process.pid, calls: 2n, name: comm });
      probe.map("last").clear();
      expect(probe.map("last").get(0)).toEqual({ pid: 0, calls: 0n, name: "" });
    } finally {
      probe.close();
    }
  });

  test("120 lookups fit one handler's stack, and a number read by get() is a copy", async () => {
    const probe = await open(fixture("many-lookups.ts"), { params: { TARGET: process.pid } });
    try {
      const cells = probe.map("cells");
      cells.set(1, 5n);
      probe.attach();
      syncfsFromThisProcess();
      probe.detach();
      expect([cells.get(1), cells.get(2), cells.get(3)]).toEqual([100n, 5n, 120n]);
    } finally {
      probe.close();
    }
  });

  test("bpftool dumps a declared map's struct values field by field", async () => {
    const probe = await open(fixture("counters.ts"), { params: { TARGET: 1 } });
    try {
      probe.map("last").set(0, { pid: 7, calls: 9n, name: "seven" });
      // A closed probe's maps linger a moment in the kernel (freed after an RCU grace period).
      while (mapsNamed("last") > 1) await new Promise((r) => setTimeout(r, 20));
      const dump = JSON.parse(execFileSync("bpftool", ["map", "dump", "name", "last", "-j"], { encoding: "utf8" })) as { formatted: unknown }[];
      expect(dump.map((e) => e.formatted)).toEqual([{ key: 0, value: { pid: 7, calls: 9, name: "seven" } }]);
    } finally {
      probe.close();
    }
  });

  test("user-space mistakes are errors that say what the map takes", async () => {
    const probe = await open(fixture("counters.ts"), { params: { TARGET: 1 } });
    const errorOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (e instanceof TsbpfError) return e;
        throw e;
      }
      throw new Error("no error");
    };
    try {
      const hits = probe.map("hits");
      expect(errorOf(() => hits.get(4)).options.hint).toBe("its indexes are the integers 0 to 3");
      expect(errorOf(() => hits.set(1, -1n)).message).toContain("does not fit in u64");
      expect(errorOf(() => probe.map("counts")).options.hint).toBe("its maps are: hits, last");
    } finally {
      probe.close();
    }
    expect(errorOf(() => probe.map("hits").get(0)).message).toBe("map 'hits' cannot be read: the probe is closed");
  });

  test("one map used by several programs and a function, built in parts, is one map", async () => {
    const built = await compileAsync(fixture("shared-in-parts.ts"), { cache: false, parts: 3 });
    expect(built.parts).toBe(3);
    const probe = await open(fixture("shared-in-parts.ts"), { cache: false, parts: 3 });
    try {
      probe.attach();
      triggerSyncfs();
      probe.detach();
      const [a, b, c] = probe.map("seen").entries().map(([, v]) => v as bigint);
      // Every syncfs on the machine counts: at least ours, and each program once per call.
      expect(a).toBeGreaterThanOrEqual(1n);
      expect([b, c]).toEqual([2n * a, 3n * a]);
    } finally {
      probe.close();
    }
  });
});

test("a map the kernel cannot allocate is an error at its declaration, with the bytes it asks for", () => {
  const r = tsbpf(["run", fixture("too-big.ts"), "--duration", "0"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/too-big\.ts:4:14: error: the kernel cannot create map 'huge' \((ENOMEM|E2BIG)\)/);
  expect(r.stderr).toContain("it asks for 400000 entries of 1000000 bytes (400000000000 bytes in all)");
  expect(r.stderr).not.toContain("BTF");
  expectNoStack(r.stderr);
});

describe("HashMap", () => {
  test("entries by a number and by a struct key: added, updated and deleted in the kernel and from user space", async () => {
    const probe = await open(fixture("hash-counts.ts"), { params: { TARGET: process.pid } });
    try {
      const calls = probe.map("calls");
      const seen = probe.map("seen");
      expect(calls.entries()).toEqual([]);
      calls.set(1, 5n);
      expect(calls.get(1)).toBe(5n);
      probe.attach();
      syncfsFromThisProcess();
      syncfsFromThisProcess();
      probe.detach();
      expect(calls.get(1)).toBeUndefined();
      expect(calls.entries()).toEqual([[process.pid, 2n]]);
      const entry = seen.get({ pid: process.pid, tag: 7 }) as { calls: bigint; first: bigint };
      expect(entry.calls).toBe(2n);
      expect(entry.first).toBeGreaterThan(0n);
      expect(seen.get({ pid: process.pid, tag: 8 })).toBeUndefined();
      expect(seen.delete({ pid: process.pid, tag: 7 })).toBe(true);
      expect(seen.delete({ pid: process.pid, tag: 7 })).toBe(false);
      expect(seen.entries()).toEqual([]);
      calls.set(9, 1n);
      expect(calls.keys().sort()).toEqual([9, process.pid].sort());
      calls.clear();
      expect(calls.entries()).toEqual([]);
    } finally {
      probe.close();
    }
  });
});

test("per-CPU maps give a value per CPU and their sum; an LRU hash evicts; add() counts atomically", async () => {
  const probe = await open(fixture("kinds.ts"), { params: { TARGET: process.pid } });
  try {
    probe.attach();
    syncfsFromThisProcess();
    syncfsFromThisProcess();
    probe.detach();
    const cpus = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
    const possible = cpus.split(",").reduce((n, r) => n + (r.includes("-") ? Number(r.split("-")[1]) - Number(r.split("-")[0]) + 1 : 1), 0);
    const perCpuCalls = probe.map("perCpuCalls");
    expect((perCpuCalls.get(0) as bigint[]).length).toBe(possible);
    expect(perCpuCalls.sum!(0)).toBe(2n);
    expect(perCpuCalls.sum!(1)).toBe(0n);
    expect(probe.map("perCpuByPid").sum!(process.pid)).toBe(2n);
    expect(probe.map("perCpuByPid").sum!(1)).toBeUndefined();
    expect((probe.map("lruPerCpu").get(process.pid) as number[]).filter((v) => v === 3).length).toBeGreaterThanOrEqual(1);
    const recent = probe.map("recent").entries();
    expect(recent.length).toBeLessThanOrEqual(4);
    expect(recent).toContainEqual([5, 50]);
    expect(probe.map("shared").get(process.pid)).toBe(2n);
    expect(probe.map("totals").entries()).toEqual([[0, 0n], [1, 10n]]);
    probe.map("totals").clear();
    expect(probe.map("totals").entries()).toEqual([[0, 0n], [1, 0n]]);
    expect(probe.map("totals").keys()).toEqual([0, 1]);
    // Set from user space: every CPU's value.
    perCpuCalls.set(1, 7n);
    expect(perCpuCalls.sum!(1)).toBe(BigInt(7 * possible));
    expect(probe.map("shared").sum).toBeUndefined();
  } finally {
    probe.close();
  }
});

test("set() with a mode only adds or only replaces, and says whether it stored", async () => {
  const probe = await open(fixture("set-modes.ts"), { params: { TARGET: process.pid } });
  try {
    probe.attach();
    syncfsFromThisProcess();
    probe.detach();
    expect(probe.map("stored").entries()).toEqual([[0, 1], [1, 0], [2, 0], [3, 1]]);
    expect(probe.map("m").entries()).toEqual([[1, 40n]]);
  } finally {
    probe.close();
  }
});

test("add() on a map of 8- or 16-bit values is refused at the call", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-add-"));
  try {
    const file = join(dir, "narrow.ts");
    writeFileSync(file, 'import { ArrayMap, tracepoint, u8 } from "tsbpf";\nexport const m = new ArrayMap<u8>(2);\nexport const t = tracepoint("syscalls/sys_enter_syncfs", () => {\n  m.add(0, 1);\n});\n');
    const e = compileErrorOf(file);
    expect([e?.code, e?.at?.line, e?.message]).toEqual(["TSB1002", 4, "add() works on maps of 32- and 64-bit integers, not of u8"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tsbpf run prints the exported maps at exit, as bpftrace does", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("printed.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  expect(run.stdout).toBe("\n@calls[7]: 1\n@calls[3]: 5\n@perCpu[2]: 1\n@last[1]: { .pid = 42, .name = answer }\n");
  expectNoStack(run.stderr);
});

test("a Histogram prints at exit as bpftrace prints hist()", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("histogram.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  const bar = (n: number) => `|${"@".repeat(n).padEnd(52)}|`;
  expect(run.stdout).toBe(
    [
      "",
      "@sizes: ",
      `[0]                    1 ${bar(26)}`,
      `[1]                    1 ${bar(26)}`,
      `[2, 4)                 2 ${bar(52)}`,
      `[4, 8)                 1 ${bar(26)}`,
      ...["[8, 16)", "[16, 32)", "[32, 64)", "[64, 128)", "[128, 256)", "[256, 512)", "[512, 1K)"].map((l) => `${l.padEnd(16)}       0 ${bar(0)}`),
      `[1K, 2K)               1 ${bar(26)}`,
      "",
      "",
    ].join("\n"),
  );
});

test("Count and Sum, keyless and keyed, print at exit as bpftrace prints count() and sum()", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("aggregations.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  expect(run.stdout).toBe(`\n@events: 1\n@byComm[sync]: 1\n@total: 2\n@byPid[${child.pid}]: 10\n`);
});

test("Count and Sum read from the runtime as totals", async () => {
  const probe = await open(fixture("aggregations.ts"), { params: { TARGET: process.pid } });
  try {
    probe.attach();
    syncfsFromThisProcess();
    syncfsFromThisProcess();
    probe.detach();
    expect(probe.map("events").get(undefined)).toBe(2n);
    expect(probe.map("total").get(undefined)).toBe(4n);
    expect(probe.map("byPid").get(process.pid)).toBe(20n);
    expect(probe.map("byPid").entries()).toEqual([[process.pid, 20n]]);
  } finally {
    probe.close();
  }
});

test("Min and Max keep the least and greatest value any CPU saw, printed at exit as bpftrace prints them", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("extremes.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  expect(run.stdout).toBe(`\n@least: -3\n@most: -2\n@mostByPid[${child.pid}]: 41\n`);
  const probe = await open(fixture("extremes.ts"), { params: { TARGET: process.pid } });
  try {
    expect(probe.map("least").get(undefined)).toBeUndefined(); // nothing recorded yet
    probe.attach();
    syncfsFromThisProcess();
    probe.detach();
    expect([probe.map("least").get(undefined), probe.map("most").get(undefined), probe.map("mostByPid").get(process.pid)]).toEqual([-3n, -2n, 41n]);
  } finally {
    probe.close();
  }
});

test("--interval prints the exported maps under the time; --clear empties them after each print", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("aggregations.ts"), "--param", `TARGET=${child.pid}`, "--interval", "0.4", "--clear", "--duration", "2"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  const blocks = run.stdout.split(/^\d\d:\d\d:\d\d\n/m).slice(1);
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  // The syncfs lands in one interval; after the print that shows it, the counts start again.
  const counted = blocks.findIndex((b) => b.includes("@events: 1\n"));
  expect(counted).toBeGreaterThanOrEqual(0);
  expect(blocks[counted]).toContain(`@byPid[${child.pid}]: 10\n`);
  expect(blocks.slice(counted + 1).every((b) => b.includes("@events: 0\n") && !b.includes("@byPid"))).toBe(true);
  expectNoStack(run.stderr);
});

test("--clear without --interval is a usage error", () => {
  const r = tsbpf(["run", fixture("aggregations.ts"), "--clear"]);
  expect([r.code, r.stderr.split("\n")[0]]).toEqual([2, "tsbpf: --clear empties the maps after each --interval print: give an --interval too"]);
});

describe("map errors at compile time", () => {
  test("using a value get() may not have found is TypeScript's error, with what to do", () => {
    const e = compileErrorOf(fixture("unchecked-get.ts"));
    expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TS18048", 7, 15]);
    expect(e?.options.hint).toContain("if (v !== undefined)");
  });

  test("`!` does not make a value be there", () => {
    const e = compileErrorOf(fixture("asserted-get.ts"));
    expect([e?.code, e?.at?.line, e?.message]).toEqual(["TSB1002", 6, "`!` cannot make a map's value be there: the kernel may have none"]);
  });

  test("a map is created only at the top level", () => {
    const e = compileErrorOf(fixture("map-in-handler.ts"));
    expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TSB2004", 4, 17]);
  });
});

describe.each(libLLVMs())("a const enum in a map's value, with %s", (lib) => {
  test("is an ENUM with its members in BTF, and an int to the program and the runtime", async () => {
    const object = join(tmpdir(), `tsbpf-enum-${process.pid}.bpf.o`);
    try {
      const r = tsbpf(["build", fixture("enum-values.ts"), "-o", object], { env: { TSBPF_LIBLLVM: lib } });
      expect([r.stderr, r.code]).toEqual([expect.any(String), 0]);
      const c = execFileSync("bpftool", ["btf", "dump", "file", object, "format", "c"], { encoding: "utf8" });
      expect(c).toContain("enum State {\n\tIdle = 0,\n\tBusy = 1,\n\tGone = 7,\n};");
      expect(c).toContain("struct Slot {\n\tenum State state;\n\tu32 visits;\n};");
    } finally {
      rmSync(object, { force: true });
    }
  });
});

test("a const enum's values go through the kernel as ints and read back as their members' names", async () => {
  const probe = await open(fixture("enum-values.ts"), { cache: false });
  try {
    const slots = probe.map("slots");
    probe.attach();
    syncfsFromThisProcess();
    probe.detach();
    const first = slots.get(0) as { state: string; visits: number };
    // Other processes' syncfs calls count too: Busy after the first, Gone after more.
    expect(first.visits).toBeGreaterThanOrEqual(1);
    expect(first.state).toBe(first.visits === 1 ? "Busy" : "Gone");
  } finally {
    probe.close();
  }
});

test("tsbpf run leaves out an array's untouched entries, whose enum field reads as a member's name", async () => {
  const watched = syncfsLater();
  const run = new Running(["run", fixture("enum-values.ts"), "--duration", "3"]);
  await run.waitFor("stderr", /Attached/);
  await watched.go();
  expect(await run.exited).toBe(0);
  // Entry 1 is never written: zeroed, its state `Idle` (0), and not printed.
  expect(run.stdout).toMatch(/^@slots\[0\]: \{ \.state = (Busy|Gone), \.visits = \d+ \}$/m);
  expect(run.stdout).not.toContain("@slots[1]");
});
