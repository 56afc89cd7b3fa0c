// Decoders generated for one C type (D120): every integer, bool and pointer read inline at its
// constant offset, nested structs and short arrays as literals, so that decoding a record costs
// its reads and allocations, not a call per field. Two forms: one that reads any DataView, and
// one bound to a buffer that reads its 64-bit integers through BigUint64Array/BigInt64Array
// views of it (V8 inlines those loads; DataView's getBigUint64 cost twice as much), used for
// records at 8-aligned offsets of a little-endian host, as a ring buffer's are; its parts left to
// other codecs (a Str, an enum, a long array) are read by their own readers of that buffer.
//
// Field names enter the source only as JSON string literals (a `__proto__` as a computed key,
// which makes a property, not the prototype); types come from the compile manifest.

import { sizeOf, structLayout, type CType } from "./c-layout.js";

/** What reads a part the generated code leaves to others: a Str, an enum, a long array. */
export interface PartDecoder {
  decode(view: DataView, offset: number): unknown;
  readerOf(view: DataView): (offset: number) => unknown;
}

export interface CompiledDecoder<V> {
  /** The value whose bytes start at `offset` in `view`. */
  decode(view: DataView, offset: number): V;
  /** A reader of values in `view` by offset, made once per buffer. */
  readerOf(view: DataView): (offset: number) => V;
}

/** Arrays up to this length are read element by element inline; longer ones by their decoder, in a loop. */
export const INLINE_ELEMENTS = 32;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function compileDecoder<V>(t: CType, partDecoder: (t: CType) => PartDecoder): CompiledDecoder<V> {
  const parts: PartDecoder[] = [];
  /** `bound`: the source of the reader made for one buffer (`r`: its parts' readers); `aligned`: its 64-bit reads through typed arrays. */
  const source = (bound: boolean, aligned: boolean): string => {
    let next = 0;
    const at = (offset: number) => (offset ? `o + ${offset}` : "o");
    const read = (c: CType, offset: number): string => {
      switch (c.kind) {
        case "int": {
          if (c.enumerators?.length) break;
          if (c.bits === 64) return aligned && offset % 8 === 0 ? `${c.signed ? "s" : "b"}[i + ${offset / 8}]` : `v.get${c.signed ? "BigInt64" : "BigUint64"}(${at(offset)}, true)`;
          const name = `${c.signed ? "Int" : "Uint"}${c.bits}`;
          return c.bits === 8 ? `v.get${name}(${at(offset)})` : `v.get${name}(${at(offset)}, true)`;
        }
        case "bool":
          return `v.getUint8(${at(offset)}) !== 0`;
        case "ptr":
          return aligned && offset % 8 === 0 ? `b[i + ${offset / 8}]` : `v.getBigUint64(${at(offset)}, true)`;
        case "array": {
          if (c.length > INLINE_ELEMENTS) break;
          const stride = sizeOf(c.elem);
          return `[${Array.from({ length: c.length }, (_, k) => read(c.elem, offset + k * stride)).join(", ")}]`;
        }
        case "struct": {
          const { offsets } = structLayout(c);
          const fields = c.fields.map((f, k) => `${f.name === "__proto__" ? `["__proto__"]` : JSON.stringify(f.name)}: ${read(f.type, offset + offsets[k])}`);
          return `{ ${fields.join(", ")} }`;
        }
      }
      // Every source walks the type in the same order: the nth part is the same in each.
      const part = next++;
      parts[part] ??= partDecoder(c);
      return bound ? `r[${part}](${at(offset)})` : `p[${part}].decode(v, ${at(offset)})`;
    };
    return read(t, 0);
  };
  const decodeSource = source(false, false);
  const readSource = source(true, false);
  const alignedSource = source(true, true);
  const made = new Function(
    "p",
    `"use strict";
    const decode = (v, o) => (${decodeSource});
    return {
      decode,
      readerOf: (v, b, s) => {
        const r = p.map((part) => part.readerOf(v));
        const read = (o) => (${readSource});
        return b === undefined ? read : (o) => {
          if ((o & 7) !== 0) return read(o);
          const i = o >> 3;
          return (${alignedSource});
        };
      },
    };`,
  )(parts);
  return {
    decode: made.decode,
    readerOf: (view) => {
      if (!LITTLE_ENDIAN_HOST || view.byteOffset % 8 !== 0) return made.readerOf(view);
      const words = view.byteLength >> 3;
      return made.readerOf(view, new BigUint64Array(view.buffer, view.byteOffset, words), new BigInt64Array(view.buffer, view.byteOffset, words));
    },
  };
}
