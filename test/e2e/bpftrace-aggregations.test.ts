// Avg, Stats, Histogram and LinearHistogram, keyless and keyed, against bpftrace v0.17 itself:
// the same values recorded on the same syncfs by both, and `tsbpf run`'s text at exit the same
// bytes as bpftrace's (also held against a copy, so that a change in either shows). Then the
// same maps read from user space, and LinearHistogram's constructor refused where it makes no
// sense.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TsbpfError } from "../../contract/errors.js";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { syncfsFromThisProcess, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, Running } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/maps", name);

/** bpftrace running `script` with `args`, once it says it is attached (its BEGIN prints "ready"). */
async function bpftrace(script: string, args: string[]): Promise<{ exited: Promise<string> }> {
  const child = spawn("bpftrace", [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<string>((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`bpftrace cannot run (${e.message}): the tests compare with bpftrace v0.17 (apt-get install bpftrace)`)));
    // "close", not "exit": what it printed is read to the end.
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bpftrace exited ${code}:\n${stderr}`))));
  });
  const deadline = Date.now() + 20_000;
  while (!stdout.includes("ready\n")) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      await exited;
      throw new Error(`bpftrace did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { exited };
}

test("tsbpf run prints Avg, Stats, Histogram and LinearHistogram at exit byte for byte as bpftrace v0.17", async () => {
  const child = syncfsLater();
  const bt = await bpftrace(fixture("distributions.bt"), [String(child.pid)]);
  const run = new Running(["run", fixture("distributions.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  const [code, btOut] = await Promise.all([run.exited, bt.exited]);
  expect(code).toBe(0);
  expectNoStack(run.stderr);
  // bpftrace: "Attaching 2 probes...", BEGIN's "ready", two newlines, the maps. tsbpf: a newline, the maps.
  const bpftraceMaps = btOut.slice(btOut.indexOf("ready\n\n\n") + "ready\n\n\n".length);
  expect(run.stdout).toBe(`\n${bpftraceMaps}`);
  expect(bpftraceMaps).toBe(readFileSync(fixture("distributions.txt"), "utf8").replace("{PID}", String(child.pid)));
});

test("the same aggregations read from the runtime as [key, value] data, and cleared", async () => {
  const probe = await open(fixture("distributions.ts"), { params: { TARGET: process.pid } });
  try {
    expect(probe.map("avg").entries()).toEqual([]);
    expect(probe.map("stats").get(undefined)).toBeUndefined();
    probe.attach();
    syncfsFromThisProcess();
    probe.detach();
    expect(probe.map("avg").get(undefined)).toBe(2n);
    expect(probe.map("avg").entries()).toEqual([[0, 2n]]);
    expect(new Map(probe.map("avgBy").entries())).toEqual(
      new Map([
        [1, 10n],
        [2, 3n],
        [256, 3n],
        [3, -7n],
      ]),
    );
    expect(probe.map("stats").get(undefined)).toEqual({ count: 3n, average: 2n, total: 7n });
    const comm = readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim();
    expect(probe.map("statsBy").entries()).toEqual([[{ pid: process.pid, comm }, { count: 2n, average: 15n, total: 31n }]]);
    expect(probe.map("histBy").get(comm)).toEqual([
      { min: 2n, max: 3n, count: 2n },
      { min: 4n, max: 7n, count: 0n },
      { min: 8n, max: 15n, count: 1n },
    ]);
    expect(probe.map("histBy").keys().sort()).toEqual([comm, "zz"].sort());
    expect(probe.map("hist").entries()[0][1]).toEqual(
      expect.arrayContaining([
        { max: -1n, count: 1n },
        { min: 0n, max: 0n, count: 1n },
        { min: 1n, max: 1n, count: 2n },
        { min: 1048576n, max: 2097151n, count: 1n },
      ]),
    );
    expect(probe.map("lin").get(undefined)).toEqual([
      { max: -1n, count: 1n },
      { min: 0n, max: 99n, count: 2n },
      { min: 100n, max: 199n, count: 2n },
      ...[2, 3, 4, 5, 6, 7, 8].map((i) => ({ min: BigInt(i * 100), max: BigInt(i * 100 + 99), count: 0n })),
      { min: 900n, max: 999n, count: 1n },
      { min: 1000n, count: 2n },
    ]);
    expect(probe.map("linBy").get(2)).toEqual([{ min: 5120n, count: 1n }]);
    expect(probe.map("linBy").delete(2)).toBe(true);
    expect(probe.map("linBy").delete(2)).toBe(false);
    expect(probe.map("linBy").keys()).toEqual([1]);
    for (const name of ["avg", "avgBy", "hist", "histBy", "lin", "linBy", "stats", "statsBy"]) {
      probe.map(name).clear();
      expect([name, probe.map(name).entries()]).toEqual([name, []]);
    }
    expect(() => probe.map("hist").set(0, 1n)).toThrow(TsbpfError);
  } finally {
    probe.close();
  }
});

test("u64 values past i64's range, a linear histogram below zero, FixedArray and struct keys", async () => {
  const probe = await open(fixture("distribution-edges.ts"), { params: { TARGET: process.pid } });
  try {
    probe.attach();
    syncfsFromThisProcess();
    probe.detach();
    expect(probe.map("top").get(undefined)).toEqual([
      { min: 1n << 40n, max: (1n << 41n) - 1n, count: 1n },
      ...Array.from({ length: 22 }, (_, i) => ({ min: 1n << BigInt(41 + i), max: (1n << BigInt(42 + i)) - 1n, count: 0n })),
      { min: 1n << 63n, max: (1n << 64n) - 1n, count: 1n },
    ]);
    expect(probe.map("below").get(undefined)).toEqual([
      { max: -11n, count: 1n },
      { min: -10n, max: -6n, count: 1n },
      { min: -5n, max: -1n, count: 0n },
      { min: 0n, max: 4n, count: 0n },
      { min: 5n, max: 9n, count: 1n },
      { min: 10n, count: 2n },
    ]);
    expect(probe.map("byArray").entries()).toEqual([[[1, 2, 3], 2n]]);
    expect(probe.map("byPair").get({ a: 7, b: 70000 })).toEqual({ count: 1n, average: 5n, total: 5n });
  } finally {
    probe.close();
  }
  const child = syncfsLater();
  const run = new Running(["run", fixture("distribution-edges.ts"), "--param", `TARGET=${child.pid}`, "--duration", "1"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  const bar = (n: number) => `|${"@".repeat(n).padEnd(52)}|`;
  const tera = ["1T", "2T", "4T", "8T", "16T", "32T", "64T", "128T", "256T", "512T", "1024T", "2048T", "4096T", "8192T", "16384T", "32768T", "65536T", "131072T", "262144T", "524288T", "1048576T", "2097152T", "4194304T", "8388608T", "16777216T"];
  expect(run.stdout).toBe(
    [
      "",
      "@top: ",
      ...tera.slice(0, -1).map((low, i) => `${`[${low}, ${tera[i + 1]})`.padEnd(16)}${i === 0 || i === 23 ? "       1" : "       0"} ${bar(i === 0 || i === 23 ? 52 : 0)}`),
      "",
      "@below: ",
      `(..., -10)             1 ${bar(26)}`,
      `[-10, -5)              1 ${bar(26)}`,
      `[-5, 0)                0 ${bar(0)}`,
      `[0, 5)                 0 ${bar(0)}`,
      `[5, 10)                1 ${bar(26)}`,
      `[10, ...)              2 ${bar(52)}`,
      "",
      "@byArray[[1,2,3]]: 2",
      "",
      "@byPair[7, 70000]: count 1, average 5, total 5",
      "",
      "",
    ].join("\n"),
  );
});

test("--interval --clear prints a histogram and an average each interval and empties them", async () => {
  const child = syncfsLater();
  const run = new Running(["run", fixture("distributions.ts"), "--param", `TARGET=${child.pid}`, "--interval", "0.4", "--clear", "--duration", "2"]);
  await run.waitFor("stderr", /Attached/);
  await child.go();
  expect(await run.exited).toBe(0);
  const blocks = run.stdout.split(/^\d\d:\d\d:\d\d\n/m).slice(1);
  const counted = blocks.findIndex((b) => b.includes("@avg: 2\n"));
  expect(counted).toBeGreaterThanOrEqual(0);
  expect(blocks[counted]).toContain("@linBy[2]: \n[5K, ...)              1 |");
  // Emptied: each of the 10 maps is bpftrace's blank line for an empty map (two after avg() and stats()).
  expect(blocks.slice(counted + 1, -1).every((b) => b === "\n".repeat(14))).toBe(true);
  expectNoStack(run.stderr);
});

describe("LinearHistogram's min, max and step are refused at the argument that is wrong, with what to write", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-lhist-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const refused = (args: string) => {
    const file = join(dir, "probe.ts");
    const declaration = `export const h = new LinearHistogram(${args});`;
    writeFileSync(file, `import { LinearHistogram, param, u32 } from "tsbpf";\nconst N = param<u32>("N", 5);\n${declaration}\n`);
    const e = compileErrorOf(file);
    return { code: e?.code, line: e?.at?.line, column: e?.at?.column, message: e?.message, hint: e?.options.hint };
  };
  /** The column of argument `i` of `args` in the declaration. */
  const column = (args: string, i: number) => "export const h = new LinearHistogram(".length + args.split(", ").slice(0, i).join(", ").length + (i ? 2 : 0) + 1;

  test.each([
    ["0, 100, 0", 2, "a LinearHistogram's step must be at least 1, not 0", /^e\.g\. new LinearHistogram\(0, 100, 10\)/],
    ["0, 100, -5", 2, "a LinearHistogram's step must be at least 1, not -5", /^e\.g\./],
    ["10, 5, 1", 1, "a LinearHistogram's max (5) must be greater than its min (10)", /^e\.g\. new LinearHistogram\(10, 20, 1\)$/],
    ["10, 10, 1", 1, "a LinearHistogram's max (10) must be greater than its min (10)", /^e\.g\./],
    ["0, 25, 10", 1, "a LinearHistogram's max - min (25) must be a whole number of steps (10): its last bucket would be cut short", /^write max 20 or 30$/],
    ["0, 100000, 1", 2, "a LinearHistogram of 100000 buckets is over the most, 1000", /^use a step of at least 100 /],
    ["0, N, 1", 1, "a LinearHistogram's max must be a constant integer", /top-level const/],
  ])("new LinearHistogram(%s)", (args, argument, message, hint) => {
    const r = refused(args);
    expect([r.code, r.line, r.column, r.message]).toEqual(["TSB1112", 3, column(args, argument), message]);
    expect(r.hint).toMatch(hint);
  });

  test("a top-level const is a constant, and a keyed one's count comes after the three", () => {
    const file = join(dir, "count.ts");
    writeFileSync(file, 'import { LinearHistogram, u32 } from "tsbpf";\nconst STEP = 10;\nexport const h = new LinearHistogram<u32>(0, 100, STEP, 0);\n');
    const e = compileErrorOf(file);
    expect([e?.code, e?.at?.line, e?.at?.column]).toEqual(["TSB1111", 3, "export const h = new LinearHistogram<u32>(0, 100, STEP, ".length + 1]);
  });
});
