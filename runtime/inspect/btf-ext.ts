// .BTF.ext: the line info (each instruction's source line: tsbpf puts the TypeScript source
// there, which is how the verifier log quotes it), the function info and the CO-RE relocations of
// an object's code sections (include/uapi/linux/btf.h's btf_ext_header; libbpf's btf_ext__new reads the same).
// Offsets are in bytes from the start of the code section, as in the object file.

import { NotBpfObject } from "./bpf-elf.js";

export interface LineInfo {
  /** Byte offset of the first instruction of the line, in its section. */
  offset: number;
  file: string;
  /** The source line's text, as the compiler stored it. */
  text: string;
  line: number;
  column: number;
}

export interface CoreRelocation {
  offset: number;
  /** The BTF type of the root of the access. */
  type: number;
  /** The access string: member indices from the root ("0:1:2"). */
  access: string;
  kind: number;
}

export interface BtfExt {
  /** By code section name. */
  lines: Map<string, LineInfo[]>;
  /** The BTF FUNC of each function, by section, at its byte offset. */
  functions: Map<string, { offset: number; type: number }[]>;
  relocations: Map<string, CoreRelocation[]>;
}

const MAGIC = 0xeb9f;

/** Parses .BTF.ext; `string` reads .BTF's string section (where the names and source lines are). */
export function parseBtfExt(bytes: Buffer, string: (offset: number) => string): BtfExt {
  const fail = (what: string) => new NotBpfObject(`its .BTF.ext section is malformed: ${what}`);
  if (bytes.length < 24 || bytes.readUInt16LE(0) !== MAGIC) throw fail("it does not start with BTF's magic 0xeb9f (little-endian)");
  const headerLength = bytes.readUInt32LE(4);
  if (headerLength < 24 || headerLength > bytes.length) throw fail(`its header length ${headerLength} does not fit its ${bytes.length} bytes`);
  const part = (at: number) => {
    if (at + 8 > headerLength) return Buffer.alloc(0); // an older header without this part
    const start = headerLength + bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    if (start + length > bytes.length) throw fail(`a part of ${length} bytes at ${start} runs past its end`);
    return bytes.subarray(start, start + length);
  };
  // Each part: a record size, then per section its name, a count, and that many records.
  const records = <T>(data: Buffer, minimum: number, read: (at: number) => T): Map<string, T[]> => {
    const out = new Map<string, T[]>();
    if (data.length === 0) return out;
    if (data.length < 4) throw fail("a part is shorter than its record size");
    const size = data.readUInt32LE(0);
    if (size < minimum || size % 4 !== 0) throw fail(`a record size of ${size} bytes (at least ${minimum})`);
    for (let at = 4; at < data.length; ) {
      if (at + 8 > data.length) throw fail("a section's header is cut off");
      const section = string(data.readUInt32LE(at));
      const count = data.readUInt32LE(at + 4);
      at += 8;
      if (at + count * size > data.length) throw fail(`section '${section}' has ${count} records of ${size} bytes, past the part's end`);
      const list = out.get(section) ?? [];
      for (let i = 0; i < count; i++, at += size) list.push(read(at));
      out.set(section, list);
    }
    return out;
  };
  const functionPart = part(8);
  const linePart = part(16);
  const corePart = part(24);
  return {
    functions: records(functionPart, 8, (at) => ({ offset: functionPart.readUInt32LE(at), type: functionPart.readUInt32LE(at + 4) })),
    lines: records(linePart, 16, (at) => {
      const lineColumn = linePart.readUInt32LE(at + 12);
      return { offset: linePart.readUInt32LE(at), file: string(linePart.readUInt32LE(at + 4)), text: string(linePart.readUInt32LE(at + 8)), line: lineColumn >>> 10, column: lineColumn & 0x3ff };
    }),
    relocations: records(corePart, 16, (at) => ({ offset: corePart.readUInt32LE(at), type: corePart.readUInt32LE(at + 4), access: string(corePart.readUInt32LE(at + 8)), kind: corePart.readUInt32LE(at + 12) })),
  };
}
