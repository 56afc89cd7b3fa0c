// `tsbpf run`'s event lines written as bytes, straight from each record's bytes into the output
// buffer, as a C tool's printf fills stdio's: no string, object or bigint per event where the
// field's text needs none (D127). A function is generated per event type: integers and bools
// are read at their constant offsets and printed by byte-text.ts's helpers; an ASCII Str is copied
// byte for byte. What needs its view's text (a formatted type, an enum, a Str that is not ASCII,
// a struct inside an array) is made as a string by the field's own reader, and written.
// The line is the one EventTable.row makes from the decoded event: a test holds them equal.

import { sizeOf, type CType } from "../../contract/c-layout.js";
import { INLINE_ELEMENTS } from "../../contract/compiled-decoder.js";
import { codecOf } from "../../contract/c-values.js";
import type { ByteSink } from "./byte-sink.js";
import { generateLineWriter, INT_CHARS } from "./byte-text.js";
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
      return `p = H.str(s, b, p, u, o + ${c.offset}, ${c.type.length}, ${width}, t[${textOf(c)}], MOST); b = s.bytes;${space}`;
    }
    const inline = inlineWrite(c.type, c.offset, width, c.right);
    if (inline) {
      most += inline.bytes + 1;
      return `${inline.source}${space}`;
    }
    // Its text may need room of its own: the line so far is kept in the sink first.
    return `p = H.text(s, p, t[${textOf(c)}](o + ${c.offset}), ${width}, ${c.right}, MOST); b = s.bytes;${space}`;
  });
  const write = generateLineWriter<[Texts]>([...cells, "b[p++] = 10;"], most, ["t"]);
  return (data, sink) =>
    write(
      data,
      sink,
      texts.map((c) => {
        const read = codecOf(c.type).readerOf(data);
        const { show } = viewOf(c.type);
        const shownText = c.text as (shown: unknown) => string;
        return show ? (o: number) => shownText(show(read(o))) : (o: number) => shownText(read(o));
      }),
    );
}
