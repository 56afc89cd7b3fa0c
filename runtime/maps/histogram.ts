// Histogram: a log2 histogram's buckets, per CPU in the kernel (compiler/maps/histogram.ts),
// summed here and printed as bpftrace prints hist(): a line per bucket from the first counted
// to the last, `[lo, hi)` with K, M, G … for powers of 1024, and a bar of up to 52 @.

import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { arrayMapReader } from "./array-map.js";
import { sumOf } from "./bpf-map.js";
import type { ProbeMap } from "./map-reader.js";

export function histogramReader(info: MapInfo, handle: () => bigint): ProbeMap {
  const buckets = arrayMapReader(true)(info, handle);
  // Every bucket's CPUs in one batch: [bucket, [count on CPU 0, …]].
  const counts = (): bigint[] => buckets.entries().map(([, each]) => sumOf(info, each as CValue[]) as bigint);
  // One entry per counted bucket: [its lowest value, the count].
  const entries = (): [CValue, CValue][] => counts().flatMap((count, b): [CValue, CValue][] => (count ? [[b === 0 ? 0n : 1n << BigInt(b - 1), count]] : []));
  return {
    ...buckets,
    entries,
    keys: () => entries().map(([low]) => low),
    format: () => formatHistogram(info.name, counts()),
  };
}

const BAR = 52;

function formatHistogram(name: string, counts: bigint[]): string {
  const first = counts.findIndex((c) => c > 0n);
  if (first < 0) return "";
  let last = counts.length - 1;
  while (counts[last] === 0n) last--;
  const most = counts.reduce((a, c) => (c > a ? c : a), 0n);
  const lines = [`@${name}: `]; // bpftrace's header, trailing space included
  for (let b = first; b <= last; b++) {
    const label = b === 0 ? "[0]" : b === 1 ? "[1]" : `[${power(b - 1)}, ${power(b)})`;
    const bar = "@".repeat(Number((counts[b] * BigInt(BAR)) / most));
    lines.push(`${label.padEnd(16)}${String(counts[b]).padStart(8)} |${bar.padEnd(BAR)}|`);
  }
  return `${lines.join("\n")}\n`;
}

/** 2^n as bpftrace writes it: 1, 2, … 512, 1K, 2K, … 1M, … */
function power(n: number): string {
  const suffixes = ["", "K", "M", "G", "T", "P", "E"];
  const unit = Math.min(Math.floor(n / 10), suffixes.length - 1);
  return `${2 ** (n - unit * 10)}${suffixes[unit]}`;
}
