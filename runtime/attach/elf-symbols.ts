// The function names in a user binary's ELF symbol tables (.symtab, .dynsym), for a uprobe's
// "did you mean" and to tell a stripped binary from a misspelt name; and any symbol's address,
// for a USDT argument that names a global (`8@counter(%rip)`). The file is read through
// elf-file.ts, with its bounds.

import { cStringAt, NotElf, withElfFd, withElfFile, type ElfFile, type ElfSegment } from "./elf-file.js";

export { NotElf } from "./elf-file.js";

export interface ElfFunctions {
  /** Defined functions (STT_FUNC, STT_GNU_IFUNC) of .symtab and .dynsym. */
  readonly names: ReadonlySet<string>;
  /** Whether it has a .symtab: without one (stripped), only its dynamic symbols have names. */
  readonly symtab: boolean;
  /** The same functions with their addresses and sizes, by address: for symbolising a user stack. */
  readonly byAddress: readonly ElfFunction[];
  /** Its loadable segments (PT_LOAD): where each part of the file is in memory, relative to where it is loaded. */
  readonly segments: readonly ElfSegment[];
}

export interface ElfFunction {
  name: string;
  address: number;
  size: number;
}

export interface ElfSymbol extends ElfFunction {
  /** STT_* */
  type: number;
}

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const SYM_SIZE = 24; // Elf64_Sym

/** The functions `path` names; throws NotElf for a file that is not a 64-bit little-endian ELF or is malformed. */
export function elfFunctions(path: string): ElfFunctions {
  return withElfFile(path, functionsOf);
}

/** The same, of a file already open (one kept while a process mapped it: runtime/output/process-mappings.ts). */
export function elfFunctionsOf(fd: number): ElfFunctions {
  return withElfFd(fd, functionsOf);
}

function functionsOf(elf: ElfFile): ElfFunctions {
  const names = new Set<string>();
  const byAddress: ElfFunction[] = [];
  const { symtab } = eachSymbol(elf, (s) => {
    if (s.type !== STT_FUNC && s.type !== STT_GNU_IFUNC) return;
    names.add(s.name);
    if (s.name) byAddress.push({ name: s.name, address: s.address, size: s.size });
  });
  names.delete("");
  byAddress.sort((a, b) => a.address - b.address);
  return { names, symtab, byAddress, segments: elf.segments };
}

/**
 * Calls `visit` with each defined symbol of `elf`'s .symtab and .dynsym; says whether it has a
 * .symtab (a stripped binary has only the dynamic symbols).
 */
export function eachSymbol(elf: ElfFile, visit: (s: ElfSymbol) => void): { symtab: boolean } {
  let symtab = false;
  for (const s of elf.sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.type === SHT_SYMTAB) symtab = true;
    const kind = s.type === SHT_SYMTAB ? ".symtab" : ".dynsym";
    if (s.link >= elf.sections.length) throw new NotElf(`its ${kind} names a string table that does not exist`);
    const strs = elf.sections[s.link];
    const table = elf.read(s.offset, s.size - (s.size % SYM_SIZE), kind);
    const strings = elf.read(strs.offset, strs.size, `${kind} string table`);
    for (let o = 0; o < table.length; o += SYM_SIZE) {
      const shndx = table.readUInt16LE(o + 6);
      if (shndx === 0) continue;
      visit({ name: cStringAt(strings, table.readUInt32LE(o)), type: table[o + 4] & 0xf, address: Number(table.readBigUInt64LE(o + 8)), size: Number(table.readBigUInt64LE(o + 16)) });
    }
  }
  return { symtab };
}

const NT_GNU_BUILD_ID = 3;
/** Notes read at most per file: a build-id note is 36 bytes, and the notes of real binaries a few hundred. */
const MAX_NOTES = 64 << 10;

/**
 * The file's GNU build-id (`.note.gnu.build-id`, what `file` and `readelf -n` show) in hex, from its
 * PT_NOTE segments; undefined if it has none. Throws NotElf as elfFunctions does.
 */
export function elfBuildId(fd: number): string | undefined {
  return withElfFd(fd, (elf) => {
    for (const { offset, size } of elf.notes) {
      const notes = elf.read(offset, Math.min(size, MAX_NOTES), "notes");
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
  });
}

const align4 = (n: number) => (n + 3) & ~3;
