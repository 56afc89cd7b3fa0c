// The parts of a BPF object file (ELF, e_machine EM_BPF) that `tsbpf inspect` shows: its sections,
// symbols and relocations. The file is a trust boundary (any file a user names): every offset and
// size is checked against the bytes before it is read, and anything malformed is a NotBpfObject
// saying what is wrong, never an exception from a Buffer read.

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  /** Its bytes (empty for SHT_NOBITS: .bss has a size and no bytes in the file). */
  bytes: Buffer;
  size: number;
  link: number;
  info: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  bind: number;
  /** The section it is defined in (0: undefined, ≥ 0xff00: special). */
  section: number;
}

/** A relocation of one section: at `offset` in it, of `type`, against `symbol`. */
export interface ElfRelocation {
  offset: number;
  type: number;
  symbol: ElfSymbol;
}

export interface BpfElf {
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Each section's relocations, by the index of the section they apply to. */
  relocations: Map<number, ElfRelocation[]>;
  section(name: string): ElfSection | undefined;
}

/** Why a file is not a BPF object tsbpf can read. */
export class NotBpfObject extends Error {}

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_EXECINSTR = 0x4;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_GLOBAL = 1;

const EM_BPF = 247;
const ELF_HEADER = 64;
const SECTION_HEADER = 64; // Elf64_Shdr
const SYMBOL = 24; // Elf64_Sym
const RELOCATION = 16; // Elf64_Rel
const MAX_SECTIONS = 65_535;

const MACHINES: Record<number, string> = { 3: "x86 (32-bit)", 40: "ARM", 62: "x86-64", 183: "AArch64", 243: "RISC-V", 8: "MIPS", 21: "PowerPC64", 22: "s390" };

export function readBpfElf(bytes: Buffer): BpfElf {
  if (bytes.length < 4 || bytes.readUInt32BE(0) !== 0x7f454c46) throw new NotBpfObject("it is not an ELF file (it does not start with \\x7fELF)");
  if (bytes.length < ELF_HEADER) throw new NotBpfObject(`it is ${bytes.length} bytes, too small for an ELF header`);
  if (bytes[4] !== 2) throw new NotBpfObject("it is a 32-bit ELF file; BPF objects are 64-bit");
  const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
  if (machine !== EM_BPF) throw new NotBpfObject(`it is an ELF file for ${MACHINES[machine] ?? `machine ${machine}`}, not a BPF object`);
  if (bytes[5] !== 1) throw new NotBpfObject("it is a big-endian BPF object; tsbpf reads little-endian ones (bpfel, what x86-64 and arm64 kernels load)");

  const slice = (offset: number, length: number, what: string): Buffer => {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > bytes.length)
      throw new NotBpfObject(`it is malformed: its ${what} (${length} bytes at ${offset}) would end past the file's ${bytes.length} bytes`);
    return bytes.subarray(offset, offset + length);
  };
  const shoff = Number(bytes.readBigUInt64LE(0x28));
  const shentsize = bytes.readUInt16LE(0x3a);
  const shnum = bytes.readUInt16LE(0x3c);
  const shstrndx = bytes.readUInt16LE(0x3e);
  if (shnum === 0) throw new NotBpfObject("it has no sections, so no programs");
  if (shentsize !== SECTION_HEADER || shnum > MAX_SECTIONS) throw new NotBpfObject(`its section headers are malformed (${shnum} of ${shentsize} bytes)`);
  if (shstrndx >= shnum) throw new NotBpfObject("its section names' table does not exist");
  const headers = slice(shoff, shnum * SECTION_HEADER, "section headers");

  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = i * SECTION_HEADER;
    return {
      nameOffset: headers.readUInt32LE(o),
      type: headers.readUInt32LE(o + 4),
      flags: Number(headers.readBigUInt64LE(o + 8)),
      offset: Number(headers.readBigUInt64LE(o + 0x18)),
      size: Number(headers.readBigUInt64LE(o + 0x20)),
      link: headers.readUInt32LE(o + 0x28),
      info: headers.readUInt32LE(o + 0x2c),
    };
  });
  const names = slice(raw[shstrndx].offset, raw[shstrndx].size, "section names' table");
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: stringAt(names, s.nameOffset),
    type: s.type,
    flags: s.flags,
    bytes: s.type === SHT_NOBITS || index === 0 ? Buffer.alloc(0) : slice(s.offset, s.size, `section ${index}`),
    size: s.size,
    link: s.link,
    info: s.info,
  }));

  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  const symbols: ElfSymbol[] = [];
  if (symtab) {
    if (symtab.link >= shnum) throw new NotBpfObject("its symbol table names a string table that does not exist");
    const strings = sections[symtab.link].bytes;
    for (let o = 0; o + SYMBOL <= symtab.bytes.length; o += SYMBOL) {
      const info = symtab.bytes[o + 4];
      symbols.push({
        name: stringAt(strings, symtab.bytes.readUInt32LE(o)),
        value: Number(symtab.bytes.readBigUInt64LE(o + 8)),
        size: Number(symtab.bytes.readBigUInt64LE(o + 16)),
        type: info & 0xf,
        bind: info >> 4,
        section: symtab.bytes.readUInt16LE(o + 6),
      });
    }
  }

  const relocations = new Map<number, ElfRelocation[]>();
  for (const s of sections) {
    if (s.type !== SHT_REL) continue;
    if (s.info >= shnum) throw new NotBpfObject(`its relocation section '${s.name}' applies to a section that does not exist`);
    const list: ElfRelocation[] = [];
    for (let o = 0; o + RELOCATION <= s.bytes.length; o += RELOCATION) {
      const info = s.bytes.readBigUInt64LE(o + 8);
      const symbol = symbols[Number(info >> 32n)];
      if (!symbol) throw new NotBpfObject(`its relocation section '${s.name}' names symbol ${info >> 32n}, past the symbol table`);
      list.push({ offset: Number(s.bytes.readBigUInt64LE(o)), type: Number(info & 0xffffffffn), symbol });
    }
    relocations.set(s.info, list);
  }
  return { sections, symbols, relocations, section: (name) => sections.find((s) => s.name === name) };
}

/** The NUL-terminated string at `offset` of a string table ("" past its end). */
export function stringAt(table: Buffer, offset: number): string {
  if (offset >= table.length) return "";
  const end = table.indexOf(0, offset);
  return table.toString("latin1", offset, end < 0 ? table.length : end);
}
