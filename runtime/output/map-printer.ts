// The probe's exported maps as bpftrace prints its maps at exit: each map's text (map-text.ts)
// one after the other, in the order they are declared. A kind may print itself (`format()`: a
// histogram, an average); the others print an entry a line, `@name[key]: value`, integer
// values in ascending order as bpftrace sorts count(), sum(), min() and max(). Per-CPU maps print
// the sum of their CPUs' integer values; arrays leave out their zero entries (every index exists).
// Values print as their types show them (value-views.ts: `-2 (ENOENT)`). `top` keeps the last N
// entries of each, the N largest where values are integers, as bpftrace's print(@map, N) does.

import type { CValue } from "../../contract/c-values.js";
import { zeroOf } from "../maps/array-map.js";
import { sumOf } from "../maps/bpf-map.js";
import { isStream, type ProbeMap } from "../maps/open-map.js";
import type { Probe } from "../index.js";
import { lastOf, mapText } from "./map-text.js";
import { viewOf } from "./value-views.js";
import { toJson } from "./event-table.js";
import { foldedStacks, foldedText, isStackCount } from "./folded.js";

export interface PrintOptions {
  /** Only the N largest entries of each map (--top N). */
  top?: number;
  /** One JSON object per map, `{"type":"map","map":name,"data":[[key, value], …]}` (--json). */
  json?: boolean;
  /** Maps that count stacks as folded stacks, `a;b;c 12` (--folded; output/folded.ts). */
  folded?: boolean;
  /** Where `tsbpf run` writes a flame graph of the stacks at exit (--flamegraph). */
  flameGraph?: string;
}

/** Text of the values bpftrace's print(@map) would show, map after map. */
/** The maps `tsbpf run` and `tsbpf print` print: those the probe exports, but its streams of events. */
export function printedMaps(probe: Probe): ProbeMap[] {
  return probe.mapInfos.filter((m) => m.exported && !isStream(m)).map((m) => probe.map(m.name));
}

export function formatMaps(maps: readonly ProbeMap[], options: PrintOptions = {}): string {
  if (options.json) return maps.map((map) => `{"type":"map","map":${JSON.stringify(map.info.name)},"data":${toJson(lastOf(byValue(map.entries()), options.top))}}\n`).join("");
  return maps.map((map) => (options.folded && isStackCount(map) ? foldedText(foldedStacks(map)) : formatMap(map, options.top))).join("");
}

/** Entries with number values in ascending order, as they print (the largest last); others as they come. */
function byValue(entries: [CValue, CValue][]): [CValue, CValue][] {
  if (entries.every(([, value]) => typeof value === "number" || typeof value === "bigint")) entries.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries;
}

function formatMap(map: ProbeMap, top: number | undefined): string {
  if (map.format) return map.format(top);
  const { info } = map;
  const perCpu = map.sum !== undefined;
  // A per-CPU map's entries come with each CPU's value: integers are added up here.
  const entries: [CValue, CValue][] = map.entries().map(([key, value]) => [key, perCpu && info.value.kind === "int" && Array.isArray(value) ? sumOf(info, value)! : value]);
  let shown = map.dense ? withoutZeroes(map, entries) : entries;
  shown = lastOf(byValue(shown), top);
  const valueText = viewOf(info.value).text;
  // Each CPU's value, where a per-CPU map's are not added up (structs): `[{ … },{ … }]`.
  const text = (v: CValue) => (perCpu && info.value.kind !== "array" && Array.isArray(v) ? `[${v.map(valueText).join(",")}]` : valueText(v));
  return mapText(
    info,
    shown.map(([key, value]) => [key, text(value)]),
  );
}

/**
 * An array's entries but those still as they were made: zeroed bytes, decoded and shown as any
 * value of the type is (a const enum's zero is its member's name, a SyscallNr 0 is `read`).
 */
function withoutZeroes(map: ProbeMap, entries: [CValue, CValue][]): [CValue, CValue][] {
  const { value } = map.info;
  const decoded = zeroOf(value);
  const zero = viewOf(value).show?.(decoded) ?? decoded;
  const perCpu = map.sum !== undefined && value.kind !== "int";
  return entries.filter(([, v]) => !(perCpu && Array.isArray(v) ? v.every((each) => sameValue(each, zero)) : sameValue(v, zero)));
}

function sameValue(a: CValue, b: CValue): boolean {
  if (typeof a !== "object" || typeof b !== "object") return a === b;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => sameValue((a as Record<string, CValue>)[k], (b as Record<string, CValue>)[k]));
}
