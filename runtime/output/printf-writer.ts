// printf's lines written as bytes, straight from each record into the output buffer (D127), as
// `tsbpf run` prints them: a writer is generated per format. Its text is copied as UTF-8 bytes; a
// bare %d, %i or %u of an integer and a bare %s of a Str are written from the record's bytes by
// byte-text.ts's helpers; every other conversion (flags, a width, a precision, %x, %p, %c, …) by
// its formatter in printf-format.ts, whose string is written. The bytes are those of the line
// compileFormat makes: a test holds them equal.

import { structLayout, type CStruct } from "../../contract/c-layout.js";
import { codecOf, type CValue } from "../../contract/c-values.js";
import type { ByteSink } from "./byte-sink.js";
import { generateLineWriter, INT_CHARS } from "./byte-text.js";
import { formatParts, type FormatPart } from "./printf-format.js";

/** Text up to this many bytes is written byte by byte inline; longer text is copied. */
const INLINE_TEXT = 64;

/** The pieces of the writer's source, and what it needs from outside. */
interface WriterSource {
  lines: string[];
  /** Most bytes the line takes without asking for room again. */
  most: number;
  texts: Uint8Array[];
  /** Arguments written as their formatter's string: which, and how. */
  formatted: Extract<FormatPart, object>[];
  /** Arguments written as a Str: which. */
  strings: number[];
}

/**
 * The writer of `format`'s lines from records laid out as `record` (its id, then the arguments),
 * in a buffer, into `sink`: each call writes one line and returns 1.
 */
export function compilePrintfWriter(format: string, record: CStruct): (data: DataView, sink: ByteSink) => (offset: number) => number {
  const args = record.fields.slice(1);
  const offsets = structLayout(record).offsets.slice(1);
  const w: WriterSource = { lines: [], most: 0, texts: [], formatted: [], strings: [] };
  for (const part of formatParts(
    format,
    args.map((f) => f.type),
  )) {
    if (typeof part === "string") writeText(w, Buffer.from(part, "utf8"));
    else writeConversion(w, part, args[part.arg].type, offsets[part.arg]);
  }
  const most = w.most;
  const write = generateLineWriter<[Uint8Array[], ((o: number) => string)[], ((o: number) => string)[]]>(w.lines, most, ["T", "F", "S"]);
  return (data, sink) => {
    const values: CValue[] = new Array(args.length);
    // A formatted argument's text: its value read into the arguments its formatter reads.
    const formatted = w.formatted.map((part) => {
      const read = codecOf(args[part.arg].type).readerOf(data);
      const at = offsets[part.arg];
      return (o: number) => {
        values[part.arg] = read(o + at);
        return part.text(values);
      };
    });
    const strings = w.strings.map((arg) => codecOf(args[arg].type).readerOf(data) as (o: number) => string);
    return write(data, sink, w.texts, formatted, strings);
  };
}

function writeText(w: WriterSource, bytes: Uint8Array): void {
  w.most += bytes.length;
  if (bytes.length <= INLINE_TEXT) w.lines.push(Array.from(bytes, (c) => `b[p++] = ${c};`).join(" "));
  else w.lines.push(`b.set(T[${w.texts.push(bytes) - 1}], p); p += ${bytes.length};`);
}

function writeConversion(w: WriterSource, part: Extract<FormatPart, object>, type: CStruct["fields"][number]["type"], offset: number): void {
  const { spec } = part;
  const bare = !spec.flags && !spec.width && spec.precision === undefined;
  const at = `o + ${offset}`;
  if (bare && "diu".includes(spec.letter) && type.kind === "int" && !type.enumerators?.length && !type.format) {
    // As C reads the promoted argument: %d of a u32 0xffffffff is -1, %u of an i32 -1 is 4294967295.
    const signed = spec.letter !== "u";
    w.most += INT_CHARS;
    if (type.bits === 64) w.lines.push(`p = H.${signed ? "i" : "u"}64(b, p, v.getUint32(${at}, true), v.get${signed ? "Int32" : "Uint32"}(${at} + 4, true), 0);`);
    else w.lines.push(`p = H.int(b, p, v.get${signed ? "Int" : "Uint"}${type.bits}(${at}${type.bits > 8 ? ", true" : ""}), 0);`);
    return;
  }
  if (bare && spec.letter === "s" && type.kind === "str") {
    w.most += type.length;
    w.lines.push(`p = H.str(s, b, p, u, ${at}, ${type.length}, 0, S[${w.strings.push(part.arg) - 1}], MOST); b = s.bytes;`);
    return;
  }
  w.lines.push(`p = H.text(s, p, F[${w.formatted.push(part) - 1}](o), 0, false, MOST); b = s.bytes;`);
}
