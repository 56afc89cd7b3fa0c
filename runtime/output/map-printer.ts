// The probe's exported maps as bpftrace prints its maps at exit: `@name[key]: value`, a line per
// entry, integer values in ascending order, a blank line between maps. Per-CPU maps print the
// sum of their CPUs' integer values; arrays leave out their zero entries (every index exists).

import type { CValue } from "../../contract/c-values.js";
import type { ProbeMap } from "../maps/open-map.js";

/** Text of the values bpftrace's print(@map) would show; "" for maps with nothing to show. */
export function formatMaps(maps: readonly ProbeMap[]): string {
  return maps
    .map(formatMap)
    .filter((text) => text !== "")
    .join("\n");
}

function formatMap(map: ProbeMap): string {
  if (map.format) return map.format();
  const { info } = map;
  const perCpu = map.sum !== undefined;
  const entries: [CValue, CValue][] = map.entries().map(([key, value]) => [key, perCpu && info.value.kind === "int" ? map.sum!(key)! : value]);
  const shown = map.dense ? entries.filter(([, value]) => !isZero(value)) : entries;
  if (info.value.kind === "int") shown.sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0));
  return shown.map(([key, value]) => `@${info.name}[${formatValue(key)}]: ${formatValue(value)}\n`).join("");
}

function isZero(v: CValue): boolean {
  if (typeof v === "number" || typeof v === "bigint") return v == 0;
  if (typeof v === "boolean") return !v;
  if (typeof v === "string") return v === "";
  if (Array.isArray(v)) return v.every(isZero);
  return Object.values(v).every(isZero);
}

/** bpftrace's way: numbers in decimal, strings bare, records `{ .a = 1, .b = x }`, arrays `[1,2]`. */
export function formatValue(v: CValue): string {
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(",")}]`;
  return `{ ${Object.entries(v)
    .map(([field, value]) => `.${field} = ${formatValue(value)}`)
    .join(", ")} }`;
}
