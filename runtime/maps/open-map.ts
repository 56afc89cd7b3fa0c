// A loaded map's reader by its kind: each kind's is a file in this folder, listed here (the
// compiler's half of each kind is compiler/maps/).

import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { aggregationReader } from "./aggregation.js";
import { arrayMapReader } from "./array-map.js";
import { hashMapReader } from "./hash-map.js";
import { extremumReader } from "./extremum.js";
import { histogramReader, linearHistogramReader } from "./histogram.js";
import { avgReader, statsReader } from "./stats.js";
import type { ProbeMap } from "./map-reader.js";

export type { ProbeMap } from "./map-reader.js";

const READERS: ReadonlyMap<string, (info: MapInfo, handle: () => bigint) => ProbeMap> = new Map([
  ["ArrayMap", arrayMapReader(false)],
  ["PerCpuArrayMap", arrayMapReader(true)],
  ["HashMap", hashMapReader(false)],
  ["LruHashMap", hashMapReader(false)],
  ["PerCpuHashMap", hashMapReader(true)],
  ["LruPerCpuHashMap", hashMapReader(true)],
  ["Histogram", histogramReader],
  ["LinearHistogram", linearHistogramReader],
  ["Count", aggregationReader],
  ["Sum", aggregationReader],
  ["Min", extremumReader(true)],
  ["Max", extremumReader(false)],
  ["Avg", avgReader],
  ["Stats", statsReader],
]);

export function openMap(info: MapInfo, handle: () => bigint): ProbeMap {
  const open = READERS.get(info.kind);
  if (!open) throw new TsbpfError(`maps of kind '${info.kind}' cannot be read by this version of tsbpf`, { subject: `map '${info.name}'`, hint: "rebuild the probe with this version's compiler" });
  return open(info, handle);
}
