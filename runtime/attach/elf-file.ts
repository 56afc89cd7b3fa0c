// A user binary's ELF structure, read with bounds: its header, section headers (with names) and
// loadable segments, and a reader of any range of it. The binary is a trust boundary (any file
// a probe names): every read is bounded by the file's size and by caps, and a malformed file is
// a NotElf that says so, never a crash. elf-symbols.ts reads its symbol tables, usdt-notes.ts
// its USDT notes.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Why a file is not one tsbpf can read. */
export class NotElf extends Error {}

export interface ElfSection {
  name: string;
  type: number;
  /** Its address when loaded (0 for a section that is not). */
  address: number;
  offset: number;
  size: number;
  link: number;
}

export interface ElfSegment {
  offset: number;
  address: number;
  /** Bytes in the file. */
  size: number;
  /** Bytes in memory (a .bss extends a segment past its file bytes). */
  memorySize: number;
  executable: boolean;
}

export interface ElfFile {
  /** ET_EXEC (2) or ET_DYN (3, shared libraries and PIE executables), or another e_type. */
  readonly type: number;
  readonly sections: readonly ElfSection[];
  /** The loadable segments (PT_LOAD): where each part of the file is in memory, relative to where it is loaded. */
  readonly segments: readonly ElfSegment[];
  /** The note segments (PT_NOTE): where in the file the notes are (a build-id's). */
  readonly notes: readonly { offset: number; size: number }[];
  /** `length` bytes at `offset`; `what` names them for the error if they are not all in the file. */
  read(offset: number, length: number, what: string): Buffer;
}

export const SHT_NOTE = 7;
const SHDR_SIZE = 64; // Elf64_Shdr
const PHDR_SIZE = 56; // Elf64_Phdr
const PT_LOAD = 1;
const PT_NOTE = 4;
const PF_X = 1;
// Caps on what one file makes tsbpf read: far above real binaries (libLLVM's .dynsym is ~4 MB).
const MAX_SECTIONS = 65_535;
const MAX_SEGMENTS = 4096;
const MAX_READ = 256 << 20;

/** `use` with `path` opened as an ELF file; throws NotElf for a file that is not a 64-bit little-endian ELF or is malformed. */
export function withElfFile<T>(path: string, use: (elf: ElfFile) => T): T {
  const fd = openSync(path, "r");
  try {
    return withElfFd(fd, use);
  } finally {
    closeSync(fd);
  }
}

/** As withElfFile, of a file already open (one kept while a process mapped it: runtime/output/process-mappings.ts). */
export function withElfFd<T>(fd: number, use: (elf: ElfFile) => T): T {
  const size = fstatSync(fd).size;
  const read = (offset: number, length: number, what: string): Buffer => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size || length > MAX_READ)
      throw new NotElf(`it is malformed: its ${what} (${length} bytes at ${offset}) would end past its last byte (${size})`);
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
  const headers = programHeaders(header, read);
  return use({
    type: header.readUInt16LE(0x10),
    sections: sectionHeaders(header, read),
    segments: headers.filter((h) => h.type === PT_LOAD).map(({ type: _, ...segment }) => segment),
    notes: headers.filter((h) => h.type === PT_NOTE).map(({ offset, size }) => ({ offset, size })),
    read,
  });
}

type Read = ElfFile["read"];

const u64 = (b: Buffer, o: number): number => {
  const v = b.readBigUInt64LE(o);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotElf(`it is malformed: a header holds ${v}, past any file or address tsbpf reads`);
  return Number(v);
};

function sectionHeaders(header: Buffer, read: Read): ElfSection[] {
  const shoff = u64(header, 0x28);
  const shentsize = header.readUInt16LE(0x3a);
  const shnum = header.readUInt16LE(0x3c);
  const shstrndx = header.readUInt16LE(0x3e);
  if (shnum === 0) return [];
  if (shentsize !== SHDR_SIZE || shnum > MAX_SECTIONS) throw new NotElf(`its section headers are malformed (${shnum} of ${shentsize} bytes)`);
  const shdrs = read(shoff, shnum * SHDR_SIZE, "section headers");
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = i * SHDR_SIZE;
    return { nameAt: shdrs.readUInt32LE(o), type: shdrs.readUInt32LE(o + 4), address: u64(shdrs, o + 0x10), offset: u64(shdrs, o + 0x18), size: u64(shdrs, o + 0x20), link: shdrs.readUInt32LE(o + 0x28) };
  });
  // Names are only for finding sections (.note.stapsdt): a file without a name table has none.
  const names = shstrndx > 0 && shstrndx < shnum && raw[shstrndx].type !== 8 /* SHT_NOBITS */ ? read(raw[shstrndx].offset, raw[shstrndx].size, "section name table") : Buffer.alloc(0);
  return raw.map(({ nameAt, ...s }) => ({ name: cStringAt(names, nameAt), ...s }));
}

/** The NUL-terminated string at `at` in `table` ("" past its end). */
export function cStringAt(table: Buffer, at: number): string {
  if (at >= table.length) return "";
  const end = table.indexOf(0, at);
  return table.toString("latin1", at, end < 0 ? table.length : end);
}

/** Every program header: its type and, as an ElfSegment, where its part of the file goes. */
function programHeaders(header: Buffer, read: Read): (ElfSegment & { type: number })[] {
  const phoff = u64(header, 0x20);
  const phentsize = header.readUInt16LE(0x36);
  const phnum = header.readUInt16LE(0x38);
  if (phnum === 0) return [];
  if (phentsize !== PHDR_SIZE || phnum > MAX_SEGMENTS) throw new NotElf(`its program headers are malformed (${phnum} of ${phentsize} bytes)`);
  const phdrs = read(phoff, phnum * PHDR_SIZE, "program headers");
  const out: (ElfSegment & { type: number })[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = i * PHDR_SIZE;
    out.push({ type: phdrs.readUInt32LE(o), offset: u64(phdrs, o + 8), address: u64(phdrs, o + 16), size: u64(phdrs, o + 32), memorySize: u64(phdrs, o + 40), executable: (phdrs.readUInt32LE(o + 4) & PF_X) !== 0 });
  }
  return out;
}
