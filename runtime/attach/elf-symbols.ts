// The function names in a user binary's ELF symbol tables (.symtab, .dynsym), for a uprobe's
// "did you mean" and to tell a stripped binary from a misspelt name. The binary is a trust
// boundary (any file a probe names): every read is bounded by the file's size and by caps, and
// a malformed file is an error that says so, never a crash.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

export interface ElfFunctions {
  /** Defined functions (STT_FUNC, STT_GNU_IFUNC) of .symtab and .dynsym. */
  readonly names: ReadonlySet<string>;
  /** Whether it has a .symtab: without one (stripped), only its dynamic symbols have names. */
  readonly symtab: boolean;
  /** The same functions with their addresses and sizes, by address: for symbolising a user stack. */
  readonly byAddress: readonly ElfFunction[];
  /** Its loadable segments (PT_LOAD): where each part of the file is in memory, relative to where it is loaded. */
  readonly segments: readonly { offset: number; address: number; size: number }[];
}

export interface ElfFunction {
  name: string;
  address: number;
  size: number;
}

/** Why a file is not one tsbpf can read symbols from. */
export class NotElf extends Error {}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SYM_SIZE = 24; // Elf64_Sym
const SHDR_SIZE = 64; // Elf64_Shdr
// Caps on what one file makes tsbpf read: far above real binaries (libLLVM's .dynsym is ~4 MB).
const MAX_SECTIONS = 65_535;
const MAX_TABLE = 256 << 20;

/** The functions `path` names; throws NotElf for a file that is not a 64-bit little-endian ELF or is malformed. */
export function elfFunctions(path: string): ElfFunctions {
  const fd = openSync(path, "r");
  try {
    return elfFunctionsOf(fd);
  } finally {
    closeSync(fd);
  }
}

/** The same, of a file already open (one kept while a process mapped it: runtime/output/process-mappings.ts). */
export function elfFunctionsOf(fd: number): ElfFunctions {
  const { read, header } = elfFile(fd);
  const segments = programSegments(header, read);
  const shoff = Number(header.readBigUInt64LE(0x28));
  const shentsize = header.readUInt16LE(0x3a);
  const shnum = header.readUInt16LE(0x3c);
  if (shnum === 0) return { names: new Set(), symtab: false, byAddress: [], segments };
  if (shentsize !== SHDR_SIZE || shnum > MAX_SECTIONS) throw new NotElf(`its section headers are malformed (${shnum} of ${shentsize} bytes)`);
  const shdrs = read(shoff, shnum * SHDR_SIZE, "section headers");
  const section = (i: number) => {
    const o = i * SHDR_SIZE;
    return { type: shdrs.readUInt32LE(o + 4), offset: Number(shdrs.readBigUInt64LE(o + 0x18)), size: Number(shdrs.readBigUInt64LE(o + 0x20)), link: shdrs.readUInt32LE(o + 0x28) };
  };
  const names = new Set<string>();
  const byAddress: ElfFunction[] = [];
  let symtab = false;
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.type === SHT_SYMTAB) symtab = true;
    const kind = s.type === SHT_SYMTAB ? ".symtab" : ".dynsym";
    if (s.link >= shnum) throw new NotElf(`its ${kind} names a string table that does not exist`);
    const strs = section(s.link);
    const table = read(s.offset, s.size - (s.size % SYM_SIZE), kind);
    const strings = read(strs.offset, strs.size, `${kind} string table`);
    for (let o = 0; o < table.length; o += SYM_SIZE) {
      const type = table[o + 4] & 0xf;
      const shndx = table.readUInt16LE(o + 6);
      if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || shndx === 0) continue;
      const name = table.readUInt32LE(o);
      if (name >= strings.length) continue;
      const end = strings.indexOf(0, name);
      const text = strings.toString("latin1", name, end < 0 ? strings.length : end);
      names.add(text);
      if (text) byAddress.push({ name: text, address: Number(table.readBigUInt64LE(o + 8)), size: Number(table.readBigUInt64LE(o + 16)) });
    }
  }
  names.delete("");
  byAddress.sort((a, b) => a.address - b.address);
  return { names, symtab, byAddress, segments };
}

const PT_NOTE = 4;
const NT_GNU_BUILD_ID = 3;
/** Notes read at most per file: a build-id note is 36 bytes, and the notes of real binaries a few hundred. */
const MAX_NOTES = 64 << 10;

/**
 * The file's GNU build-id (`.note.gnu.build-id`, what `file` and `readelf -n` show) in hex, from its
 * PT_NOTE segments; undefined if it has none. Throws NotElf as elfFunctions does.
 */
export function elfBuildId(fd: number): string | undefined {
  const { read, header } = elfFile(fd);
  for (const { type, offset, size } of programHeaders(header, read)) {
    if (type !== PT_NOTE) continue;
    const notes = read(offset, Math.min(size, MAX_NOTES), "notes");
    for (let o = 0; o + 12 <= notes.length; ) {
      const nameSize = notes.readUInt32LE(o);
      const descSize = notes.readUInt32LE(o + 4);
      const noteType = notes.readUInt32LE(o + 8);
      const desc = o + 12 + align4(nameSize);
      if (desc + descSize > notes.length) break;
      if (noteType === NT_GNU_BUILD_ID && nameSize === 4 && notes.toString("latin1", o + 12, o + 15) === "GNU") return notes.toString("hex", desc, desc + descSize);
      o = desc + align4(descSize);
    }
  }
  return undefined;
}

const align4 = (n: number) => (n + 3) & ~3;

type Read = (offset: number, length: number, what: string) => Buffer;

/** A bounded reader of an open file and its checked ELF header. */
function elfFile(fd: number): { read: Read; header: Buffer } {
  const size = fstatSync(fd).size;
  const read: Read = (offset, length, what) => {
    if (offset < 0 || length < 0 || offset + length > size || length > MAX_TABLE) throw new NotElf(`it is malformed: its ${what} (${length} bytes at ${offset}) would end past its last byte (${size})`);
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new NotElf(`it ended while reading its ${what}`);
      done += n;
    }
    return buf;
  };
  if (size < 4 || read(0, 4, "magic").readUInt32BE(0) !== 0x7f454c46) throw new NotElf("it does not start with the ELF magic (\\x7fELF)");
  if (size < 64) throw new NotElf("it is too small to be an ELF file");
  const header = read(0, 64, "header");
  if (header[4] !== 2 || header[5] !== 1) throw new NotElf(`it is a ${header[4] === 1 ? "32-bit" : "?-bit"} ${header[5] === 2 ? "big-endian" : "little-endian"} ELF file; tsbpf reads 64-bit little-endian ones`);
  return { read, header };
}

const PT_LOAD = 1;
const PHDR_SIZE = 56; // Elf64_Phdr
const MAX_SEGMENTS = 4096;

/** The program headers: each one's type, and where its part of the file is and goes. */
function programHeaders(header: Buffer, read: Read): { type: number; offset: number; address: number; size: number }[] {
  const phoff = Number(header.readBigUInt64LE(0x20));
  const phentsize = header.readUInt16LE(0x36);
  const phnum = header.readUInt16LE(0x38);
  if (phnum === 0) return [];
  if (phentsize !== PHDR_SIZE || phnum > MAX_SEGMENTS) throw new NotElf(`its program headers are malformed (${phnum} of ${phentsize} bytes)`);
  const phdrs = read(phoff, phnum * PHDR_SIZE, "program headers");
  return Array.from({ length: phnum }, (_, i) => {
    const o = i * PHDR_SIZE;
    return { type: phdrs.readUInt32LE(o), offset: Number(phdrs.readBigUInt64LE(o + 8)), address: Number(phdrs.readBigUInt64LE(o + 16)), size: Number(phdrs.readBigUInt64LE(o + 32)) };
  });
}

/** The PT_LOAD segments: file offset, virtual address and size in the file of each. */
function programSegments(header: Buffer, read: Read): { offset: number; address: number; size: number }[] {
  return programHeaders(header, read)
    .filter((p) => p.type === PT_LOAD)
    .map(({ offset, address, size }) => ({ offset, address, size }));
}
