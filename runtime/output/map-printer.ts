// The probe's exported maps as bpftrace prints its maps at exit: each map's text (map-text.ts)
// one after the other, in the order they are declared. A kind may print itself (`format()`: a
// histogram, an average); the others print an entry a line, `@name[key]: value`, integer
// values in ascending order as bpftrace sorts count(), sum(), min() and max(). Per-CPU maps print
// the sum of their CPUs' integer values; arrays leave out their zero entries (every index exists).

import type { CValue } from "../../contract/c-values.js";
import type { ProbeMap } from "../maps/open-map.js";
import { formatValue, mapText } from "./map-text.js";

/** Text of the values bpftrace's print(@map) would show, map after map. */
export function formatMaps(maps: readonly ProbeMap[]): string {
  return maps.map(formatMap).join("");
}

function formatMap(map: ProbeMap): string {
  if (map.format) return map.format();
  const { info } = map;
  const perCpu = map.sum !== undefined;
  const entries: [CValue, CValue][] = map.entries().map(([key, value]) => [key, perCpu && info.value.kind === "int" ? map.sum!(key)! : value]);
  const shown = map.dense ? entries.filter(([, value]) => !isZero(value)) : entries;
  if (shown.every(([, value]) => typeof value === "number" || typeof value === "bigint")) shown.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  return mapText(
    info,
    shown.map(([key, value]) => [key, formatValue(value)]),
  );
}

function isZero(v: CValue): boolean {
  if (typeof v === "number" || typeof v === "bigint") return v == 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "string") return v === "";
  if (Array.isArray(v)) return v.every(isZero);
  return Object.values(v).every(isZero);
}
