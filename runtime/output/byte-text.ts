// Text written as bytes into a ByteSink, without making strings: integers from their 32-bit
// parts, ASCII and UTF-8 text, a C string copied while it is ASCII. What the generated writers of
// event lines (event-lines.ts) and printf lines (printf-writer.ts) call; each pads as
// String.padStart/padEnd would, so that the bytes are those of the strings the other paths make.

import type { ByteSink } from "./byte-sink.js";

const SPACE = 32;
const MINUS = 45;
const ZERO = 48;
/** Integers of up to 2^53 in magnitude are exact as doubles: their high word is below this. */
const EXACT_HIGH_WORD = 0x200000;
/** The longest integer's text: 2^64 - 1 and -2^63 both have 20 characters. */
export const INT_CHARS = 20;

/** How many digits a whole number below 2^31 has. */
function digitsOf(x: number): number {
  if (x < 100000) return x < 100 ? (x < 10 ? 1 : 2) : x < 1000 ? 3 : x < 10000 ? 4 : 5;
  return x < 10000000 ? (x < 1000000 ? 6 : 7) : x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/** The last `count` digits of `x` (below 2^31), ending before `end`, in 32-bit integer steps. */
function putDigits(b: Buffer, end: number, x: number, count: number): void {
  for (let k = 0; k < count; k++) {
    const q = (x / 10) | 0;
    b[--end] = ZERO + (x - q * 10);
    x = q;
  }
}

/**
 * Writes `n` (a whole number, |n| ≤ 2^53) at `p`, after spaces up to `width`; the end. Above 10^9
 * it is written as two parts below 2^31, so that every step is a small integer's: the double's
 * own divisions took four times as long (a ktime of 14 digits).
 */
function int(b: Buffer, p: number, n: number, width: number): number {
  const negative = n < 0;
  if (negative) n = -n;
  let high = 0;
  let low = n;
  let digits: number;
  if (n < 1e9) digits = digitsOf(n);
  else {
    high = Math.floor(n / 1e9);
    low = n - high * 1e9;
    digits = digitsOf(high) + 9;
  }
  for (let k = digits + (negative ? 1 : 0); k < width; k++) b[p++] = SPACE;
  if (negative) b[p++] = MINUS;
  const end = p + digits;
  if (high === 0) putDigits(b, end, low | 0, digits);
  else {
    putDigits(b, end, low | 0, 9);
    putDigits(b, end - 9, high | 0, digits - 9);
  }
  return end;
}

/** ASCII `text` at `p`, padded to `width` on the left (`right`) or the right; the end. */
function ascii(b: Buffer, p: number, text: string, width: number, right: boolean): number {
  if (right) for (let k = text.length; k < width; k++) b[p++] = SPACE;
  for (let k = 0; k < text.length; k++) b[p++] = text.charCodeAt(k);
  if (!right) for (let k = text.length; k < width; k++) b[p++] = SPACE;
  return p;
}

function u64(b: Buffer, p: number, low: number, high: number, width: number): number {
  if (high < EXACT_HIGH_WORD) return int(b, p, high * 0x100000000 + low, width);
  return ascii(b, p, ((BigInt(high) << 32n) | BigInt(low)).toString(), width, true);
}

function i64(b: Buffer, p: number, low: number, high: number, width: number): number {
  if (high >= -EXACT_HIGH_WORD && high < EXACT_HIGH_WORD) return int(b, p, high * 0x100000000 + low, width);
  return ascii(b, p, ((BigInt(high) << 32n) + BigInt(low)).toString(), width, true);
}

/**
 * Any `text` at `p` as UTF-8, padded as String.padStart/padEnd pad it; the end. Room is made for
 * it and for `rest`, the most the rest of the line writes without asking.
 */
function text(s: ByteSink, p: number, value: string, width: number, right: boolean, rest: number): number {
  const chars = Math.max(value.length, width);
  if (p + chars * 3 + rest > s.bytes.length) {
    s.at = p;
    if (chars * 3 + rest > s.bytes.length) {
      s.writeThrough(right ? value.padStart(width) : value.padEnd(width));
      return s.at;
    }
    p = s.room(chars * 3 + rest);
  }
  const b = s.bytes;
  if (right) for (let k = value.length; k < width; k++) b[p++] = SPACE;
  p += b.write(value, p, "utf8");
  if (!right) for (let k = value.length; k < width; k++) b[p++] = SPACE;
  return p;
}

/**
 * A Str of `size` bytes at `o` of `u`, copied while it is ASCII and padded to `width`; one that is
 * not is written as its decoded text (`read`: invalid UTF-8 shown as U+FFFD), from `start`.
 */
function str(s: ByteSink, b: Buffer, p: number, u: Uint8Array, o: number, size: number, width: number, read: (o: number) => string, rest: number): number {
  const start = p;
  for (let i = o, end = o + size; i < end; i++) {
    const c = u[i];
    if (c === 0) break;
    if (c > 0x7f) return text(s, start, read(o), width, false, rest);
    b[p++] = c;
  }
  for (let k = p - start; k < width; k++) b[p++] = SPACE;
  return p;
}

/** The helpers, as the generated writers receive them. */
export const BYTE_TEXT = { int, ascii, u64, i64, text, str };

/**
 * A writer of one record's line, generated from `statements`: source that writes the line of the
 * record at `o` (read from `v`, a DataView, or `u`, its bytes) into `b` from `p`, with BYTE_TEXT
 * as `H`, the sink as `s` and `extras` by name; `MOST` in it stands for `most`, the bytes it
 * writes without asking for room again. Bound to a buffer of records and a sink, it writes a line
 * per call and returns 1. The source holds numbers and the helpers' names only.
 */
export function generateLineWriter<Extras extends unknown[]>(statements: readonly string[], most: number, extras: readonly string[]): (data: DataView, sink: ByteSink, ...extras: Extras) => (offset: number) => number {
  const make = new Function(
    "H",
    `"use strict";
    return (v, u, s${extras.map((e) => `, ${e}`).join("")}) => (o) => {
      let p = s.room(${most});
      let b = s.bytes;
      ${statements.join("\n      ").replaceAll("MOST", String(most))}
      s.at = p;
      return 1;
    };`,
  )(BYTE_TEXT) as (v: DataView, u: Uint8Array, s: ByteSink, ...extras: Extras) => (offset: number) => number;
  return (data, sink, ...rest) => {
    // Room for two of the longest lines: a line never waits for a buffer smaller than itself.
    if (sink.bytes.length < most * 2) sink.room(most * 2);
    return make(data, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), sink, ...rest);
  };
}
