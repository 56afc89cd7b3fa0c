// The text bpftrace v0.17 prints for one map (print(@m), and each map at exit): an entry a line,
// `@name: value` or `@name[key]: value` (a histogram's value on the lines after), entries
// joined by a newline, then a newline, or two after avg() and stats(), as its TextOutput does.
// Keys and values are written as bpftrace writes them (MapKey::argument_value, value_to_str).

import type { CType } from "../../contract/c-layout.js";
import { encodeValue, type CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";

/**
 * The map's text from its entries, each a key and its value's text, in the order given. `end`
 * follows the last: bpftrace ends avg() and stats() maps with a blank line. A map without
 * entries is that blank line alone.
 */
export function mapText(info: MapInfo, entries: readonly (readonly [key: CValue, text: string])[], end = "\n"): string {
  const name = `@${info.name}`;
  return entries.map(([key, text]) => `${name}${info.keyless ? "" : `[${formatKey(key, true)}]`}: ${text}`).join("\n") + end;
}

/**
 * A key as bpftrace writes one: numbers in decimal, strings bare, arrays `[1,2]`, records
 * `{.a=1,.b=x}`. A struct key at the top is bpftrace's several keys, `@m[1, bash]`
 * (`@m[pid, comm]`), the natural way to write that key here.
 */
function formatKey(key: CValue, top = false): string {
  if (typeof key !== "object") return String(key);
  if (Array.isArray(key)) return `[${key.map((k) => formatKey(k)).join(",")}]`;
  const fields = Object.entries(key);
  if (top) return fields.map(([, v]) => formatKey(v)).join(", ");
  return `{${fields.map(([field, v]) => `.${field}=${formatKey(v)}`).join(",")}}`;
}

/** A value as bpftrace writes one: numbers in decimal, strings bare, records `{ .a = 1, .b = x }`, arrays `[1,2]`. */
export function formatValue(v: CValue): string {
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(",")}]`;
  return `{ ${Object.entries(v)
    .map(([field, value]) => `.${field} = ${formatValue(value)}`)
    .join(", ")} }`;
}

/**
 * Entries in the order bpftrace prints hist(), lhist(), avg() and stats() maps: ascending by
 * `rank` (a histogram's total count, an average), ties in the order of the keys' bytes (the
 * std::map it collects them in; its std::sort keeps that order for the up to 16 keys it sorts
 * by insertion).
 */
export function byRank<V>(keyType: CType, entries: readonly (readonly [CValue, V])[], rank: (value: V) => bigint): [CValue, V][] {
  const ranked = entries.map(([key, value]) => ({ key, value, rank: rank(value), bytes: Buffer.from(encodeValue(keyType, key)) }));
  ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : Buffer.compare(a.bytes, b.bytes)));
  return ranked.map(({ key, value }) => [key, value]);
}

/** The last `top` of entries in print order, the largest (print(@map, top)); all without a top. */
export const lastOf = <T>(entries: T[], top: number | undefined): T[] => (top === undefined ? entries : entries.slice(Math.max(0, entries.length - top)));

/** Where the bars of a histogram's lines end: bpftrace's 52 columns. */
const BAR = 52;

/**
 * A histogram's lines, as bpftrace's hist_to_str and lhist_to_str draw them: the bucket's label
 * in 16 columns, its count in 8, and a bar of @ scaled to the largest count in single-precision
 * floating point, truncated (bpftrace's `int bar = v / (float)max * 52`).
 */
export function histogramLines(rows: readonly { label: string; count: bigint }[]): string {
  const most = Math.fround(Number(rows.reduce((a, r) => (r.count > a ? r.count : a), 0n)));
  return rows
    .map(({ label, count }) => {
      const bar = "@".repeat(Math.trunc(Math.fround(Math.fround(Math.fround(Number(count)) / most) * BAR)));
      return `${label.padEnd(16)}${String(count).padStart(8)} |${bar.padEnd(BAR)}|\n`;
    })
    .join("");
}
