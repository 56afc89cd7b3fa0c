// `tsbpf run`'s event lines written as bytes, straight from each record's bytes into the output
// buffer, as a C tool's printf fills stdio's: no string, object or bigint per event where the
// field's text needs none (D127). A function is generated per event type: integers and bools
// are read at their constant offsets and printed by the helpers below; an ASCII Str is copied
// byte for byte. What needs its view's text (a formatted type, an enum, a Str that is not ASCII,
// a struct inside an array) is made as a string by the field's own reader, and written.
// The line is the one EventTable.row makes from the decoded event: a test holds them equal.

import { sizeOf, type CType } from "../../contract/c-layout.js";
import { INLINE_ELEMENTS } from "../../contract/compiled-decoder.js";
import { codecOf } from "../../contract/c-values.js";
import type { ByteSink } from "./byte-sink.js";
import { viewOf } from "./value-views.js";

/** A column of the table as the writer needs it. */
export interface LineColumn {
  type: CType;
  offset: number;
  width: number;
  right: boolean;
  /** The view's text of the field's shown value. */
  text: (shown: never) => string;
}

const SPACE = 32;
const MINUS = 45;
const ZERO = 48;
/** Integers of up to 2^53 in magnitude are exact as doubles: their high word is below this. */
const EXACT_HIGH_WORD = 0x200000;
/** The longest integer's text: 2^64 - 1 and -2^63 both have 20 characters. */
const INT_CHARS = 20;

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

const HELPERS = { int, ascii, u64, i64, text, str };

/** `source`, which writes an ASCII text, followed by spaces up to `width`. */
const padAfter = (source: string, width: number): string => (width ? `{ const q = p; ${source} for (let k = p - q; k < ${width}; k++) b[p++] = 32; }` : source);

/**
 * The source that writes the value of `type` at record offset `offset`, padded to `width` (on
 * the left when `right`), and the most bytes it writes; undefined if it needs its view's text.
 */
function inlineWrite(type: CType, offset: number, width: number, right: boolean): { source: string; bytes: number } | undefined {
  const at = `o + ${offset}`;
  // Numbers take their padding in the helper, which counts their digits first.
  const numberWidth = right ? width : 0;
  const padded = (source: string) => (right ? source : padAfter(source, width));
  switch (type.kind) {
    case "int": {
      if (type.format || type.enumerators?.length) return undefined;
      const source =
        type.bits === 64
          ? `p = H.${type.signed ? "i" : "u"}64(b, p, v.getUint32(${at}, true), v.get${type.signed ? "Int32" : "Uint32"}(${at} + 4, true), ${numberWidth});`
          : `p = H.int(b, p, v.get${type.signed ? "Int" : "Uint"}${type.bits}(${at}${type.bits > 8 ? ", true" : ""}), ${numberWidth});`;
      return { source: padded(source), bytes: Math.max(INT_CHARS, width) };
    }
    case "ptr":
      return { source: padded(`p = H.u64(b, p, v.getUint32(${at}, true), v.getUint32(${at} + 4, true), ${numberWidth});`), bytes: Math.max(INT_CHARS, width) };
    case "bool":
      return { source: `p = H.ascii(b, p, v.getUint8(${at}) !== 0 ? "true" : "false", ${width}, ${right});`, bytes: Math.max(5, width) };
    case "array": {
      if (type.format || type.length > INLINE_ELEMENTS) return undefined;
      const stride = sizeOf(type.elem);
      const elements = Array.from({ length: type.length }, (_, k) => inlineWrite(type.elem, offset + k * stride, 0, false));
      if (elements.some((e) => e === undefined)) return undefined;
      const parts = elements.map((e, k) => (k ? "b[p++] = 44; " : "") + e!.source);
      const bytes = 2 + elements.reduce((n, e) => n + e!.bytes + 1, 0);
      return { source: padAfter(`b[p++] = 91; ${parts.join(" ")} b[p++] = 93;`, width), bytes: Math.max(bytes, width) };
    }
    default:
      return undefined;
  }
}

/** What a writer of one buffer's records needs besides the buffer: each field's reader that gives text. */
type Texts = ((offset: number) => string)[];

/**
 * The writer of lines from records in a buffer into `sink`: each call writes one record's line
 * and returns 1 (a line). The generated source holds numbers and the helpers' names only.
 */
export function compileLineWriter(columns: LineColumn[]): (data: DataView, sink: ByteSink) => (offset: number) => number {
  const texts: LineColumn[] = [];
  const textOf = (c: LineColumn): number => texts.push(c) - 1;
  let most = 1;
  const last = columns.length - 1;
  const cells = columns.map((c, i) => {
    const width = i === last ? 0 : c.width;
    const space = i === last ? "" : " b[p++] = 32;";
    if (c.type.kind === "str") {
      most += Math.max(c.type.length, width) + 1;
      return `p = H.str(s, b, p, u, o + ${c.offset}, ${c.type.length}, ${width}, t[${textOf(c)}], REST); b = s.bytes;${space}`;
    }
    const inline = inlineWrite(c.type, c.offset, width, c.right);
    if (inline) {
      most += inline.bytes + 1;
      return `${inline.source}${space}`;
    }
    // Its text may need room of its own: the line so far is kept in the sink first.
    return `p = H.text(s, p, t[${textOf(c)}](o + ${c.offset}), ${width}, ${c.right}, REST); b = s.bytes;${space}`;
  });
  const make = new Function(
    "H",
    `"use strict";
    return (v, u, s, t) => (o) => {
      let p = s.room(${most});
      let b = s.bytes;
      ${cells.join("\n      ").replaceAll("REST", String(most))}
      b[p++] = 10;
      s.at = p;
      return 1;
    };`,
  )(HELPERS) as (v: DataView, u: Uint8Array, s: ByteSink, t: Texts) => (offset: number) => number;
  return (data, sink) => {
    if (sink.bytes.length < most * 2) sink.room(most * 2);
    const u = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return make(
      data,
      u,
      sink,
      texts.map((c) => {
        const read = codecOf(c.type).readerOf(data);
        const { show } = viewOf(c.type);
        const shownText = c.text as (shown: unknown) => string;
        return show ? (o: number) => shownText(show(read(o))) : (o: number) => shownText(read(o));
      }),
    );
  };
}
