// A loaded map's reader by its kind: each kind's is a file in this folder, listed here (the
// compiler's half of each kind is compiler/maps/).

import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import type { EventStream, ProbeMap } from "./map-reader.js";
import type { RecordFormat } from "./record-format.js";

export type { EventStream, ProbeMap } from "./map-reader.js";

// Each kind's file is loaded when a map of the kind is first opened: a run loads only the
// readers of its own maps (a cached start is mostly module loading, D157).
const arrayMaps = () => require("./array-map.js") as typeof import("./array-map.js");
const hashMaps = () => require("./hash-map.js") as typeof import("./hash-map.js");
const histograms = () => require("./histogram.js") as typeof import("./histogram.js");
const aggregations = () => require("./aggregation.js") as typeof import("./aggregation.js");
const extremums = () => require("./extremum.js") as typeof import("./extremum.js");
const stats = () => require("./stats.js") as typeof import("./stats.js");

type MapOpener = (info: MapInfo, handle: () => bigint) => ProbeMap;
const READERS: ReadonlyMap<string, () => MapOpener> = new Map<string, () => MapOpener>([
  ["ArrayMap", () => arrayMaps().arrayMapReader(false)],
  ["PerCpuArrayMap", () => arrayMaps().arrayMapReader(true)],
  ["HashMap", () => hashMaps().hashMapReader(false)],
  ["LruHashMap", () => hashMaps().hashMapReader(false)],
  ["PerCpuHashMap", () => hashMaps().hashMapReader(true)],
  ["LruPerCpuHashMap", () => hashMaps().hashMapReader(true)],
  ["Histogram", () => histograms().histogramReader],
  ["LinearHistogram", () => histograms().linearHistogramReader],
  ["Count", () => aggregations().aggregationReader],
  ["Sum", () => aggregations().aggregationReader],
  ["Min", () => extremums().extremumReader(true)],
  ["Max", () => extremums().extremumReader(false)],
  ["Avg", () => stats().avgReader],
  ["Stats", () => stats().statsReader],
]);

/** Streams of events, by kind: read by waiting for what arrives, not by key; each record read as `format` says. */
type StreamReader = <T>(info: MapInfo, handle: () => bigint, handleOf: (name: string) => bigint, format: RecordFormat<T>) => EventStream<T>;
const STREAMS: ReadonlyMap<string, () => StreamReader> = new Map<string, () => StreamReader>([
  ["RingBuf", () => (require("./ring-buf.js") as typeof import("./ring-buf.js")).ringBufReader],
  ["PerfEventArray", () => (require("./perf-event-array.js") as typeof import("./perf-event-array.js")).perfEventArrayReader],
]);

export const isStream = (info: MapInfo): boolean => STREAMS.has(info.kind);

export function openMap(info: MapInfo, handle: () => bigint): ProbeMap {
  const open = READERS.get(info.kind);
  if (!open) throw unreadable(info, STREAMS.has(info.kind) ? "a stream of events: read it with probe.events(name)" : undefined);
  return open()(info, handle);
}

export function openStream<T>(info: MapInfo, handle: () => bigint, handleOf: (name: string) => bigint, format: RecordFormat<T>): EventStream<T> {
  const open = STREAMS.get(info.kind);
  if (!open) throw unreadable(info, READERS.has(info.kind) ? "it is read by key: use probe.map(name)" : undefined);
  return open()(info, handle, handleOf, format);
}

function unreadable(info: MapInfo, hint?: string): TsbpfError {
  if (hint) return new TsbpfError(`map '${info.name}' is a ${info.kind}`, { subject: `map '${info.name}'`, hint });
  return new TsbpfError(`maps of kind '${info.kind}' cannot be read by this version of tsbpf`, { subject: `map '${info.name}'`, hint: "rebuild the probe with this version's compiler" });
}
