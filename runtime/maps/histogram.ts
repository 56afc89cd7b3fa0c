// Histogram and LinearHistogram (compiler/maps/histogram.ts): bucket counts per CPU in the
// kernel, in bpftrace's numbering, summed here. Keyless, a per-CPU array of the buckets; keyed, a
// per-CPU hash of (key, bucket) pairs, gathered here by key. Read as [key, buckets] (each bucket
// `{ min?, max?, count }` with inclusive bounds, as bpftrace's JSON output gives them, from the
// first counted to the last; key 0 when keyless) and printed as bpftrace prints hist() and
// lhist(): `@name[key]: ` and the histogram's lines, keys by ascending total count.

import type { CStruct } from "../../contract/c-layout.js";
import { encodeValue, type CValue } from "../../contract/c-values.js";
import type { LinearBuckets, MapInfo } from "../../contract/manifest.js";
import { byRank, histogramLines, lastOf, mapText } from "../output/map-text.js";
import { arrayMapReader } from "./array-map.js";
import { hashMapReader } from "./hash-map.js";
import { refusedSet, type ProbeMap } from "./map-reader.js";

/** A histogram's buckets: how many, and how bpftrace labels and bounds each. */
interface Scale {
  readonly size: number;
  label(bucket: number): string;
  bounds(bucket: number): { min?: bigint; max?: bigint };
}

/** hist()'s: below zero, [0], [1], then [2^k, 2^(k+1)) for k from 0 to 63 (bpftrace's own end at 62: its values are i64). */
const LOG2: Scale = {
  size: 66,
  label: (b) => (b === 0 ? "(..., 0)" : b === 1 ? "[0]" : b === 2 ? "[1]" : `[${powerLabel(b - 2)}, ${powerLabel(b - 1)})`),
  bounds: (b) => (b === 0 ? { max: -1n } : b === 1 ? { min: 0n, max: 0n } : { min: 1n << BigInt(b - 2), max: (1n << BigInt(b - 1)) - 1n }),
};

/** 2^n as bpftrace's hist_index_label writes it: 1 … 512, 1K … 512K, 1M, 1G, then T however large. */
function powerLabel(n: number): string {
  const unit = Math.min(Math.floor(n / 10), 4);
  return `${1n << BigInt(n - unit * 10)}${["", "K", "M", "G", "T"][unit]}`;
}

/** lhist()'s: below min, [min + i·step, min + (i + 1)·step) up to max, then max upwards. */
function linearScale(buckets: LinearBuckets): Scale {
  const [min, max, step] = [BigInt(buckets.min), BigInt(buckets.max), BigInt(buckets.step)];
  const inside = Number((max - min) / step);
  const low = (b: number) => min + BigInt(b - 1) * step;
  return {
    size: inside + 2,
    label: (b) => (b === 0 ? `(..., ${numberLabel(min)})` : b === inside + 1 ? `[${numberLabel(max)}, ...)` : `[${numberLabel(low(b))}, ${numberLabel(low(b) + step)})`),
    bounds: (b) => (b === 0 ? { max: min - 1n } : b === inside + 1 ? { min: max } : { min: low(b), max: low(b) + step - 1n }),
  };
}

/** A bound as bpftrace's lhist_index_label writes it: whole mebis as M, whole kibis as K. */
function numberLabel(n: bigint): string {
  if (n !== 0n && n % 1048576n === 0n) return `${n / 1048576n}M`;
  if (n !== 0n && n % 1024n === 0n) return `${n / 1024n}K`;
  return String(n);
}

export const histogramReader = (info: MapInfo, handle: () => bigint): ProbeMap => histogramOf(info, handle, LOG2);
export const linearHistogramReader = (info: MapInfo, handle: () => bigint): ProbeMap => histogramOf(info, handle, linearScale(info.linear!));

/** A key with something counted, and its buckets' counts summed over the CPUs. */
interface Counted {
  key: CValue;
  /** The key's bytes, in hex: how keys are told apart. */
  id: string;
  counts: bigint[];
}

function histogramOf(info: MapInfo, handle: () => bigint, scale: Scale): ProbeMap {
  // A keyed one's key is the first field of the pair the kernel keeps.
  const keyType = info.keyless ? info.key : (info.key as CStruct).fields[0].type;
  const idOf = (key: unknown) => (info.keyless ? "" : Buffer.from(encodeValue(keyType, key, `the key for map '${info.name}'`)).toString("hex"));
  const source = info.keyless ? keylessCounts(info, handle, scale) : keyedCounts(info, handle, scale, idOf);
  const find = (key: unknown) => source.counted().find((c) => c.id === idOf(key));
  const shownBuckets = (counts: bigint[]) => {
    const first = counts.findIndex((c) => c > 0n);
    return first < 0 ? [] : counts.map((count, b) => ({ b, count })).slice(first, counts.findLastIndex((c) => c > 0n) + 1);
  };
  const bucketsOf = (counts: bigint[]): CValue[] => shownBuckets(counts).map(({ b, count }) => ({ ...scale.bounds(b), count }));
  return {
    info,
    has: (key) => find(key) !== undefined,
    get: (key) => {
      const found = find(key);
      return found && bucketsOf(found.counts);
    },
    set: refusedSet(info),
    delete: (key) => source.delete(idOf(key)),
    entries: () => source.counted().map((c) => [c.key, bucketsOf(c.counts)]),
    keys: () => source.counted().map((c) => c.key),
    clear: () => source.clear(),
    format: (top) => {
      const total = (counts: bigint[]) => counts.reduce((a, c) => a + c, 0n);
      const ranked = byRank(
        keyType,
        source.counted().map((c) => [c.key, c.counts] as const),
        total,
      );
      const rows = lastOf(ranked, top);
      return mapText(
        info,
        rows.map(([key, counts]) => [key, `\n${histogramLines(shownBuckets(counts).map(({ b, count }) => ({ label: scale.label(b), count })))}`]),
      );
    },
  };
}

interface CountSource {
  counted(): Counted[];
  /** Removes a key's counts; whether it had any. */
  delete(id: string): boolean;
  clear(): void;
}

/** A keyless histogram's buckets, one per index of a per-CPU array: one key (0) once anything is counted. */
function keylessCounts(info: MapInfo, handle: () => bigint, scale: Scale): CountSource {
  const buckets = arrayMapReader(true)(info, handle);
  const counted = (): Counted[] => {
    const counts = Array.from({ length: scale.size }, (_, b) => buckets.sum!(b) as bigint);
    return counts.some((c) => c > 0n) ? [{ key: 0, id: "", counts }] : [];
  };
  return {
    counted,
    delete: () => {
      const had = counted().length > 0;
      buckets.clear();
      return had;
    },
    clear: () => buckets.clear(),
  };
}

/** A keyed histogram's (key, bucket) pairs, gathered by key in the order the kernel walks them. */
function keyedCounts(info: MapInfo, handle: () => bigint, scale: Scale, idOf: (key: CValue) => string): CountSource {
  const pairs = hashMapReader(true)(info, handle);
  const walk = () =>
    pairs.keys().map((pair) => {
      const { key, bucket } = pair as { key: CValue; bucket: number };
      return { pair, key, bucket, id: idOf(key) };
    });
  return {
    counted: () => {
      const byKey = new Map<string, Counted>();
      for (const { pair, key, bucket, id } of walk()) {
        const count = pairs.sum!(pair) as bigint | undefined; // undefined: deleted since the walk
        if (count === undefined || bucket >= scale.size) continue;
        const counted = byKey.get(id) ?? { key, id, counts: new Array<bigint>(scale.size).fill(0n) };
        counted.counts[bucket] += count;
        byKey.set(id, counted);
      }
      return [...byKey.values()];
    },
    delete: (id) => walk().filter((p) => p.id === id && pairs.delete(p.pair)).length > 0,
    clear: () => pairs.clear(),
  };
}
