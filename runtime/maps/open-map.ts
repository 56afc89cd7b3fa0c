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
import type { EventStream, ProbeMap } from "./map-reader.js";
import { ringBufReader } from "./ring-buf.js";
import { perfEventArrayReader } from "./perf-event-array.js";
import type { RecordFormat } from "./record-format.js";

export type { EventStream, ProbeMap } from "./map-reader.js";

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

/** Streams of events, by kind: read by waiting for what arrives, not by key; each record read as `format` says. */
type StreamReader = <T>(info: MapInfo, handle: () => bigint, handleOf: (name: string) => bigint, format: RecordFormat<T>) => EventStream<T>;
const STREAMS: ReadonlyMap<string, StreamReader> = new Map<string, StreamReader>([
  ["RingBuf", ringBufReader],
  ["PerfEventArray", perfEventArrayReader],
]);

export const isStream = (info: MapInfo): boolean => STREAMS.has(info.kind);

export function openMap(info: MapInfo, handle: () => bigint): ProbeMap {
  const open = READERS.get(info.kind);
  if (!open) throw unreadable(info, STREAMS.has(info.kind) ? "a stream of events: read it with probe.events(name)" : undefined);
  return open(info, handle);
}

export function openStream<T>(info: MapInfo, handle: () => bigint, handleOf: (name: string) => bigint, format: RecordFormat<T>): EventStream<T> {
  const open = STREAMS.get(info.kind);
  if (!open) throw unreadable(info, READERS.has(info.kind) ? "it is read by key: use probe.map(name)" : undefined);
  return open(info, handle, handleOf, format);
}

function unreadable(info: MapInfo, hint?: string): TsbpfError {
  if (hint) return new TsbpfError(`map '${info.name}' is a ${info.kind}`, { subject: `map '${info.name}'`, hint });
  return new TsbpfError(`maps of kind '${info.kind}' cannot be read by this version of tsbpf`, { subject: `map '${info.name}'`, hint: "rebuild the probe with this version's compiler" });
}
