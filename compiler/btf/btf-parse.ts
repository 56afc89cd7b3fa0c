// Bytes → Btf, checking everything an accessor will later index without checks: the header,
// that each section lies inside the file, that each type record fits its section, that every
// kind is known, every type id names a type and every name offset lies in the string section.
// Anything else is a TsbpfError naming the file and what is wrong: a crafted or truncated file
// never reaches a typed array out of range, and nothing here loops longer than the file is.

import { TsbpfError } from "../../contract/errors.js";
import { Btf } from "./btf.js";
import { Kind, KIND_NAMES, LAST_KIND, trailingWords } from "./btf-kinds.js";

const MAGIC = 0xeb9f;
const SWAPPED_MAGIC = 0x9feb;
const HEADER_BYTES = 24;

export function parseBtf(bytes: Uint8Array, file: string): Btf {
  const fail = (what: string) =>
    new TsbpfError(`is not a usable BTF file: ${what}`, { subject: file, hint: "give a kernel's BTF: /sys/kernel/btf/vmlinux of the kernel whose types you want, or a copy of it" });
  if (bytes.length < HEADER_BYTES) throw fail(`it has ${bytes.length} bytes, fewer than a BTF header's ${HEADER_BYTES}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint16(0, true);
  if (magic !== MAGIC && magic !== SWAPPED_MAGIC) throw fail(`it starts with 0x${magic.toString(16).padStart(4, "0")}, not BTF's magic 0xeb9f`);
  const little = magic === MAGIC;
  const version = view.getUint8(2);
  if (version !== 1) throw fail(`BTF version ${version}; this reader knows version 1`);
  const u32 = (at: number) => view.getUint32(at, little);
  const headerLength = u32(4);
  if (headerLength < HEADER_BYTES || headerLength > bytes.length) throw fail(`its header length ${headerLength} is not between ${HEADER_BYTES} and the file's ${bytes.length} bytes`);
  const section = (name: string, offsetAt: number) => {
    const start = headerLength + u32(offsetAt);
    const length = u32(offsetAt + 4);
    if (start + length > bytes.length) throw fail(`its ${name} section (bytes ${start} to ${start + length}) runs past the end of the file (${bytes.length} bytes): truncated`);
    return { start, length };
  };
  const types = section("type", 8);
  const strs = section("string", 16);
  if (types.length % 4 !== 0) throw fail(`its type section is ${types.length} bytes, not a whole number of 4-byte words`);
  if (types.start % 4 !== 0) throw fail(`its type section starts at byte ${types.start}, not on a 4-byte boundary`);
  if (strs.length === 0 || bytes[strs.start] !== 0 || bytes[strs.start + strs.length - 1] !== 0)
    throw fail("its string section does not start and end with a NUL byte");

  const words = typeWords(bytes, types.start, types.length, little);
  const strings = Buffer.from(bytes.buffer, bytes.byteOffset + strs.start, strs.length);
  const { starts, kinds } = typeStarts(words, fail);
  checkReferences(words, starts, strs.length, fail);
  return new Btf(file, words, starts, kinds, strings);
}

/**
 * The type section as words in this machine's order: a view of the file's bytes where they are
 * 4-byte aligned and in this machine's order (a file read whole starts its buffer at 0, and the
 * section at 24 bytes), else a copy. The copy was 5 MB of a vmlinux, and 1,200 page faults.
 */
function typeWords(bytes: Uint8Array, start: number, length: number, little: boolean): Uint32Array {
  const machineLittle = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (little === machineLittle && (bytes.byteOffset + start) % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset + start, length / 4);
  const words = new Uint32Array(length / 4);
  new Uint8Array(words.buffer).set(bytes.subarray(start, start + length));
  if (little !== machineLittle) for (let i = 0; i < words.length; i++) words[i] = swap32(words[i]);
  return words;
}

const swap32 = (w: number) => (((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24)) >>> 0;

/** Where each type's record starts, and its kind; id 0 is void and has no record. */
function typeStarts(words: Uint32Array, fail: (what: string) => TsbpfError): { starts: Uint32Array; kinds: Uint8Array } {
  // A record is at least 3 words: the count is at most a third of the words, plus void.
  const starts = new Uint32Array(Math.floor(words.length / 3) + 1);
  const kinds = new Uint8Array(starts.length);
  let id = 1;
  for (let at = 0; at < words.length; id++) {
    if (at + 3 > words.length) throw fail(`type ${id} at word ${at} of the type section is cut off: truncated`);
    const info = words[at + 1];
    const kind = (info >>> 24) & 0x1f;
    if (kind === Kind.Void || kind > LAST_KIND) throw fail(`type ${id} has kind ${kind}, which this reader does not know (it knows 1 to ${LAST_KIND})`);
    const end = at + 3 + trailingWords(kind, info & 0xffff);
    if (end > words.length) throw fail(`type ${id} (${KIND_NAMES[kind]}, ${info & 0xffff} items) runs past the end of the type section: truncated or a wrong count`);
    starts[id] = at;
    kinds[id] = kind;
    at = end;
  }
  return { starts: starts.subarray(0, id), kinds: kinds.subarray(0, id) }; // views: a copy touched 0.75 MB more
}

/** Where a kind's items (after the header) hold a name offset and a type id, and their size in words. */
const ITEMS: Partial<Record<Kind, { stride: number; name?: number; type?: number; what: string }>> = {
  [Kind.Struct]: { stride: 3, name: 0, type: 1, what: "member" },
  [Kind.Union]: { stride: 3, name: 0, type: 1, what: "member" },
  [Kind.Enum]: { stride: 2, name: 0, what: "value" },
  [Kind.Enum64]: { stride: 3, name: 0, what: "value" },
  [Kind.FuncProto]: { stride: 2, name: 0, type: 1, what: "parameter" },
  [Kind.Datasec]: { stride: 3, type: 0, what: "variable" },
};

/** Every type id in range, every name offset inside the string section. */
function checkReferences(words: Uint32Array, starts: Uint32Array, stringBytes: number, fail: (what: string) => TsbpfError): void {
  const count = starts.length;
  const typeAt = (id: number, what: string, ref: number) => {
    if (ref >= count) throw fail(`type ${id} (${KIND_NAMES[(words[starts[id] + 1] >>> 24) & 0x1f]}) refers to ${what}type ${ref}, but there are only ${count - 1} types`);
  };
  const nameAt = (id: number, offset: number) => {
    if (offset >= stringBytes) throw fail(`type ${id} has a name at offset ${offset}, past the string section's ${stringBytes} bytes`);
  };
  for (let id = 1; id < count; id++) {
    const at = starts[id];
    const info = words[at + 1];
    const kind: Kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    nameAt(id, words[at]);
    switch (kind) {
      case Kind.Ptr:
      case Kind.Typedef:
      case Kind.Volatile:
      case Kind.Const:
      case Kind.Restrict:
      case Kind.Func:
      case Kind.Var:
      case Kind.DeclTag:
      case Kind.TypeTag:
      case Kind.FuncProto:
        typeAt(id, "", words[at + 2]);
        break;
      case Kind.Array:
        typeAt(id, "element ", words[at + 3]);
        typeAt(id, "index ", words[at + 4]);
        break;
    }
    const items = ITEMS[kind];
    if (!items) continue;
    for (let i = 0, m = at + 3; i < vlen; i++, m += items.stride) {
      if (items.name !== undefined) nameAt(id, words[m + items.name]);
      // The message's words made only for it: a string for each of a vmlinux's 150,000 items was 14 MB to collect.
      if (items.type !== undefined && words[m + items.type] >= count) typeAt(id, `${items.what} ${i}'s `, words[m + items.type]);
    }
  }
}
