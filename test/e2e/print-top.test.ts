// `tsbpf run --top N`: each map's N largest entries, in ascending order, as bpftrace's
// print(@map, N) prints them (checked against bpftrace v0.17.0: `@a[5]: 7` then `@a[3]: 9`
// for print(@a, 2)); a histogram or a keyless count prints whole.
import { syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";

const TOP = repo("test/fixtures/maps/top.ts");

/** The lines `tsbpf run` printed for map `name`. */
const linesOf = (out: string, name: string) => out.split("\n").filter((l) => l.startsWith(`@${name}[`) || l.startsWith(`@${name}:`));

async function runTop(args: string[]): Promise<Running> {
  const watched = syncfsLater();
  const run = new Running(["run", TOP, "--param", `TARGET=${watched.pid}`, ...args]);
  await run.waitFor("stderr", /Attached/);
  await watched.go();
  return run;
}

test("--top 2 prints the two largest entries of each map, smallest first", async () => {
  const run = await runTop(["--duration", "1", "--top", "2"]);
  expect(await run.exited).toBe(0);
  expect(linesOf(run.stdout, "counts")).toEqual(["@counts[3]: 3", "@counts[4]: 4"]);
  expect(linesOf(run.stdout, "sizes")).toEqual(["@sizes[3]: 40", "@sizes[1]: 50"]);
  expect(linesOf(run.stdout, "total")).toEqual(["@total: 1"]);
  expect(run.stdout).toContain("@latency: \n[2, 4)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
  expect(run.stdout).toContain("[256, 512)             1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n");
  expectNoStack(run.stderr);
});

test("without --top, and with --top larger than a map, every entry prints", async () => {
  for (const args of [[], ["--top", "100"]]) {
    const run = await runTop(["--duration", "1", ...args]);
    expect(await run.exited).toBe(0);
    expect(linesOf(run.stdout, "counts")).toEqual(["@counts[1]: 1", "@counts[2]: 2", "@counts[3]: 3", "@counts[4]: 4"]);
    expect(linesOf(run.stdout, "sizes")).toEqual(["@sizes[2]: 10", "@sizes[4]: 20", "@sizes[3]: 40", "@sizes[1]: 50"]);
  }
});

test("--top applies to each --interval print too", async () => {
  const run = await runTop(["--duration", "3", "--interval", "1", "--top", "1"]);
  await run.waitFor("stdout", /^\d\d:\d\d:\d\d\n(?:.*\n)*@counts\[4\]: 4\n/m);
  expect(await run.exited).toBe(0);
  expect(run.stdout).not.toMatch(/@counts\[[123]\]/);
  expect(run.stdout).not.toMatch(/@sizes\[[234]\]/);
});

test("--top takes a positive whole number", () => {
  for (const bad of ["0", "-1", "2.5", "x", ""]) {
    const r = tsbpf(["run", TOP, "--top", bad, "--duration", "0"]);
    expect([bad, r.code]).toEqual([bad, 2]);
    expect(r.stderr).toContain(`--top takes a number of entries such as 10, not '${bad}'`);
  }
});
