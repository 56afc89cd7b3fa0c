// Whole-map reads (issue 9): `entries()` of a 10,000-entry hash map, u32 → u64 and u32 → a
// struct, against a small C program (bench/c/map-entries.c) doing the same bpf_map_lookup_batch
// loop on the same map (opened by id), side by side in one run: rounds alternate between them so
// that drift in this shared machine's speed touches both alike. Prints a markdown table for
// bench/RESULTS.md. Usage: npm run bench:maps [-- --rounds N] (root; gcc or clang and libbpf-dev).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { libbpf } from "../native/libbpf.js";
import { open, type Probe } from "../runtime/index.js";
import { BpfMap } from "../runtime/maps/bpf-map.js";
import { median } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const rounds = Number(option("--rounds")) || 15;
/** Whole-map reads timed in each round, of which the median counts. */
const READS = 21;
const ENTRIES = 10_000;

const PROBE = `
import { HashMap, param, pid, tracepoint, u32, u64, Str } from "tsbpf";
interface Totals { calls: u64; bytes: u64; pid: u32; cpu: u32 }
interface Stats { calls: u64; bytes: u64; pid: u32; comm: Str<16> }
const TARGET = param<u32>("TARGET", 0);
export const counts = new HashMap<u32, u64>(${ENTRIES});
export const totals = new HashMap<u32, Totals>(${ENTRIES});
export const stats = new HashMap<u32, Stats>(${ENTRIES});
export const touch = tracepoint("syscalls/sys_enter_syncfs", () => {
  if (pid() != TARGET) return;
  counts.set(0, 1);
  const t = totals.get(0);
  if (t !== undefined) t.calls++;
  const s = stats.get(0);
  if (s !== undefined) s.calls++;
});
`;

function compileC(dir: string): string {
  const out = join(dir, "map-entries");
  const cc = ["cc", "gcc", "clang", "clang-14"].find((c) => execFileSync("sh", ["-c", `command -v ${c} || true`], { encoding: "utf8" }).trim());
  if (!cc) throw new Error("no C compiler (apt-get install gcc)");
  execFileSync(cc, ["-O2", "-o", out, join(packageRoot, "bench", "c", "map-entries.c"), "-lbpf"], { stdio: "inherit" });
  return out;
}

/** The kernel's id of the probe's map `name`, from its file descriptor's fdinfo. */
function mapId(probe: Probe, name: string): number {
  const loaded = (probe as unknown as { loaded: { mapHandle(n: string): bigint } }).loaded;
  const fd = libbpf().mapFd(loaded.mapHandle(name));
  const id = /^map_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"));
  if (!id) throw new Error(`no map_id in /proc/self/fdinfo/${fd}`);
  return Number(id[1]);
}

/** Median µs of `reads` calls of `read`. */
function timeReads(read: () => unknown[], reads = READS): number {
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const t0 = process.hrtime.bigint();
    const got = read();
    times.push(Number(process.hrtime.bigint() - t0) / 1e3);
    if (got.length !== ENTRIES) throw new Error(`read ${got.length} entries, not ${ENTRIES}`);
  }
  return median(times);
}

interface Row {
  map: string;
  c: number[];
  batched: number[];
  oneByOne: number[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-maps-"));
  try {
    const probeFile = join(dir, "map-entries.ts");
    writeFileSync(probeFile, PROBE);
    const cProgram = compileC(dir);
    const probe = await open(probeFile, { params: { TARGET: 0 } });
    try {
      for (let i = 0; i < ENTRIES; i++) {
        probe.map("counts").set(i, BigInt(i) * 3n);
        probe.map("totals").set(i, { calls: BigInt(i), bytes: BigInt(i) << 10n, pid: i, cpu: i & 1 });
        probe.map("stats").set(i, { calls: BigInt(i), bytes: BigInt(i) << 10n, pid: i, comm: `task-${i}` });
      }
      const loaded = (probe as unknown as { loaded: { mapHandle(n: string): bigint } }).loaded;
      const rows: Row[] = ["counts", "totals", "stats"].map((map) => ({ map, c: [], batched: [], oneByOne: [] }));
      for (let r = 0; r < rounds; r++) {
        for (const row of rows) {
          const c = JSON.parse(execFileSync(cProgram, [String(mapId(probe, row.map)), String(READS)], { encoding: "utf8" })) as { medianUs: number; entries: number };
          if (c.entries !== ENTRIES) throw new Error(`the C reader read ${c.entries} entries`);
          row.c.push(c.medianUs);
          const reader = probe.map(row.map);
          row.batched.push(timeReads(() => reader.entries()));
          // Entry by entry, for scale: 25 times slower, so read fewer times.
          const info = probe.mapInfos.find((m) => m.name === row.map)!;
          const single = new BpfMap(info, () => loaded.mapHandle(row.map), false, false);
          row.oneByOne.push(timeReads(() => single.entries(), 3));
        }
      }
      const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
      console.log(`Whole-map reads of ${ENTRIES} entries, ${rounds} rounds (each the median of ${READS} reads by C, then by tsbpf), Node ${process.version}:\n`);
      console.log("| map | C, bpf_map_lookup_batch | tsbpf entries(), batched | × C (median of the rounds' ratios) | tsbpf, entry by entry | × C |");
      console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
      for (const row of rows) {
        const [c, b, o] = [median(row.c), median(row.batched), median(row.oneByOne)];
        const ratio = median(row.batched.map((x, i) => x / row.c[i]));
        const what = { counts: "HashMap<u32, u64>", totals: "HashMap<u32, {u64, u64, u32, u32}>", stats: "HashMap<u32, {u64, u64, u32, Str<16>}>" }[row.map];
        console.log(`| ${what} | ${ms(c)} | ${ms(b)} | **${ratio.toFixed(2)}** | ${ms(o)} | ${(o / c).toFixed(1)} |`);
      }
      console.log(`\nPer round (× C, batched): ${rows.map((row) => `${row.map} ${row.batched.map((b, i) => (b / row.c[i]).toFixed(2)).join(" / ")}`).join("; ")}`);
    } finally {
      probe.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
