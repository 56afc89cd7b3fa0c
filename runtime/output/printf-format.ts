// printf's formatting, done in user space as bpftrace does it: C's conversions, flags, width and
// precision, applied to the arguments a record carries (integers as C promotes them, so `%d` of
// a u32 0xffffffff prints -1 and `%x` of an i8 -1 prints ffffffff, as in C). Each format is
// compiled once into a function of its record.

import type { CInt, CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { PRINTF_CONVERSION } from "../../contract/printf-conversions.js";

export interface Spec {
  flags: string;
  width: number;
  precision: number | undefined;
  letter: string;
}

/** A format's pieces: text as it is, and each conversion with its argument and its formatter. */
export type FormatPart = string | { arg: number; spec: Spec; text: (args: readonly CValue[]) => string };

/** `format`'s pieces (`types[i]` the C type of argument i). */
export function formatParts(format: string, types: readonly CType[]): FormatPart[] {
  const parts: FormatPart[] = [];
  let last = 0;
  let arg = 0;
  const literal = (text: string) => (typeof parts[parts.length - 1] === "string" ? (parts[parts.length - 1] += text) : parts.push(text));
  for (const m of format.matchAll(PRINTF_CONVERSION)) {
    if (m.index > last) literal(format.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === "%%") {
      literal("%");
      continue;
    }
    const spec: Spec = { flags: m[1], width: m[2] ? Number(m[2]) : 0, precision: m[3] === undefined ? undefined : Number(m[3]), letter: m[5] };
    const i = arg++;
    const type = types[i];
    const text = spec.letter === "s" ? (args: readonly CValue[]) => pad(truncate(String(args[i]), spec.precision), spec) : decimal(i, spec, type) ?? ((args: readonly CValue[]) => formatInteger(args[i] as number | bigint | boolean, type as CInt, spec));
    parts.push({ arg: i, spec, text });
  }
  if (last < format.length) literal(format.slice(last));
  return parts;
}

/** `format` as a function of its arguments' values (`types[i]` the C type of argument i). */
export function compileFormat(format: string, types: readonly CType[]): (args: readonly CValue[]) => string {
  const parts = formatParts(format, types).map((p) => (typeof p === "string" ? p : p.text));
  return (args) => {
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : p(args);
    return out;
  };
}

/**
 * A bare %d, %i or %u (no flags, width or precision) of argument `i`, the conversion most lines
 * are made of, as String() of the integer C reads: no padding or sign logic per value (D122).
 */
function decimal(i: number, spec: Spec, type: CType | undefined): ((args: readonly CValue[]) => string) | undefined {
  if (spec.flags || spec.width || spec.precision !== undefined || !"diu".includes(spec.letter) || type?.kind !== "int") return undefined;
  const { bits } = type;
  const signed = spec.letter !== "u";
  return (args) => {
    const v = args[i];
    if (typeof v === "number" && bits <= 32) return String(wrap32(v, bits, signed));
    if (typeof v !== "bigint") return formatInteger(v as number | boolean, type, spec);
    return String(signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  };
}

const truncate = (s: string, precision: number | undefined) => (precision === undefined ? s : s.slice(0, precision));

function pad(s: string, spec: Spec, zeroes = false): string {
  if (s.length >= spec.width) return s;
  if (spec.flags.includes("-")) return s.padEnd(spec.width);
  if (!zeroes) return s.padStart(spec.width);
  // Zeroes go after the sign and the 0x prefix.
  const sign = /^([+ -]|0[xX])?/.exec(s)![0];
  return sign + s.slice(sign.length).padStart(spec.width - sign.length, "0");
}

/** `value` (a number of at most 32 bits) as C reads it as a `bits`-bit integer, signed or not. */
function wrap32(value: number, bits: number, signed: boolean): number {
  const unused = 32 - bits;
  return signed ? (value << unused) >> unused : ((value << unused) >>> unused);
}

function formatInteger(value: number | bigint | boolean, type: CInt | undefined, spec: Spec): string {
  const bits = type?.bits ?? 64;
  const { letter, flags, precision } = spec;
  if (letter === "c") return pad(String.fromCharCode(Number(BigInt.asUintN(8, BigInt(value)))), spec);
  if (letter === "p") {
    const address = BigInt.asUintN(64, BigInt(value));
    return pad(address === 0n ? "(nil)" : `0x${address.toString(16)}`, spec);
  }
  const signed = letter === "d" || letter === "i";
  // Up to 32 bits the arithmetic stays in numbers: a line of printf is mostly such integers (D122).
  const n = typeof value === "number" && bits <= 32 ? wrap32(value, bits, signed) : signed ? BigInt.asIntN(bits, BigInt(value)) : BigInt.asUintN(bits, BigInt(value));
  const base = letter === "o" ? 8 : letter === "x" || letter === "X" ? 16 : 10;
  const magnitude = typeof n === "number" ? Math.abs(n) : n < 0n ? -n : n;
  const zero = magnitude === 0 || magnitude === 0n;
  let digits = precision === 0 && zero ? "" : magnitude.toString(base);
  if (letter === "X") digits = digits.toUpperCase();
  if (precision !== undefined) digits = digits.padStart(precision, "0");
  let prefix = "";
  if (n < 0) prefix = "-";
  else if (signed && flags.includes("+")) prefix = "+";
  else if (signed && flags.includes(" ")) prefix = " ";
  if (flags.includes("#") && !zero) {
    if (base === 16) prefix += letter === "X" ? "0X" : "0x";
    else if (base === 8 && !digits.startsWith("0")) digits = "0" + digits;
  }
  // C ignores the 0 flag with '-' or a precision.
  return pad(prefix + digits, spec, flags.includes("0") && !flags.includes("-") && precision === undefined);
}
