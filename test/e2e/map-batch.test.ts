// Whole-map reads in batches (bpf_map_lookup_batch): for each map family, 10,000 entries read
// in batches equal those read one entry at a time (get_next_key, then lookup), and equal what
// was written, from user space and from the kernel.
import type { CValue } from "../../contract/c-values.js";
import { open, type Probe } from "../../runtime/index.js";
import { BpfMap } from "../../runtime/maps/bpf-map.js";
import { syncfsFromThisProcess } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

const N = 10_000;
const parts = (i: number) => Array.from({ length: 16 }, (_, j) => BigInt(i * 16 + j));
const sample = (i: number) => ({ id: i, total: BigInt(i) * 3n, parts: parts(i) });

let probe: Probe;
beforeAll(async () => {
  probe = await open(repo("test/fixtures/maps/batch.ts"), { params: { TARGET: process.pid } });
  // Keys 1 … 9,999 from here; the kernel adds key 10,000 (hashes) or sets index 0 (arrays).
  for (let i = 1; i < N; i++) {
    probe.map("plain").set(i, BigInt(i));
    probe.map("lru").set(i, BigInt(i) + 7n);
    probe.map("perCpuCounts").set(i, BigInt(i) * 2n);
    probe.map("slots").set(i, BigInt(i) + 1n);
    probe.map("samples").set(i - 1, sample(i - 1));
    probe.map("perCpuSamples").set(i, sample(i));
  }
  probe.map("samples").set(N - 1, sample(N - 1));
  probe.attach();
  syncfsFromThisProcess();
  probe.detach();
}, 120_000);
afterAll(() => probe?.close());

/** Reads map `name` with a BpfMap of its own: in batches, or (`batch` false) entry by entry. */
function read(name: string, perCpu: boolean, batch: boolean): { entries: [CValue, CValue][]; batched: boolean } {
  const info = probe.mapInfos.find((m) => m.name === name)!;
  const loaded = (probe as unknown as { loaded: { mapHandle(n: string): bigint } }).loaded;
  const map = new BpfMap(info, () => loaded.mapHandle(name), perCpu, batch);
  const entries = map.entries();
  return { entries, batched: map.batched };
}

const byKey = (a: [CValue, CValue], b: [CValue, CValue]) => Number(a[0]) - Number(b[0]);

test.each([
  ["plain", false],
  ["lru", false],
  ["samples", false],
  ["perCpuCounts", true],
  ["slots", false],
  ["perCpuSamples", true],
] as const)("%s: 10,000 entries read in batches equal those read one by one", (name, perCpu) => {
  const batched = read(name, perCpu, true);
  expect(batched.batched).toBe(true); // the kernel took the batch lookup (5.6+ hashes, 5.9+ arrays)
  const oneByOne = read(name, perCpu, false);
  // An LRU hash may evict before it is full (its free lists are per CPU): nearly all are there.
  if (name === "lru") expect(batched.entries.length).toBeGreaterThan(N * 0.9);
  else expect(batched.entries).toHaveLength(N);
  expect([...batched.entries].sort(byKey)).toEqual([...oneByOne.entries].sort(byKey));
  // And the reader the runtime hands out reads the same.
  expect([...probe.map(name).entries()].sort(byKey)).toEqual([...oneByOne.entries].sort(byKey));
});

test("the entries hold what was written, from user space and from the kernel", () => {
  const plain = new Map(probe.map("plain").entries() as [number, bigint][]);
  expect(plain.get(1)).toBe(1n);
  expect(plain.get(9999)).toBe(9999n);
  expect(plain.get(N)! >= 1000n).toBe(true); // the kernel's: 1000 + its CPU

  const counts = new Map(probe.map("perCpuCounts").entries() as [number, bigint[]][]);
  expect(counts.get(5)!.every((v) => v === 10n)).toBe(true);
  // Written on one CPU from the kernel: that CPU's value, zero on the others.
  const mine = counts.get(0)!;
  expect(mine.filter((v) => v !== 0n)).toHaveLength(1);
  expect(mine.find((v) => v !== 0n)! - 1000n).toBe(BigInt(mine.findIndex((v) => v !== 0n)));

  const samples = new Map(probe.map("samples").entries() as [number, ReturnType<typeof sample>][]);
  expect(samples.get(4321)).toEqual(sample(4321));
  expect(samples.get(0)!.total >= 1000n).toBe(true);

  const perCpuSamples = probe.map("perCpuSamples").entries() as [number, ReturnType<typeof sample>[]][];
  expect(perCpuSamples.map(([k]) => k)).toEqual(Array.from({ length: N }, (_, i) => i)); // an array's order
  expect(perCpuSamples[77][1].every((s) => s.parts[15] === BigInt(77 * 16 + 15))).toBe(true);
  expect(perCpuSamples[0][1].filter((s) => s.total !== 0n)).toHaveLength(1);
});
