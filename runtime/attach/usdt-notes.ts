// A binary's USDT probes: the SystemTap notes (`.note.stapsdt`, type 3, owner "stapsdt") that
// sys/sdt.h leaves for each probe site: its address, the link-time address of `.stapsdt.base`,
// its semaphore's address (0 for none), the provider, the name and the arguments' specs
// (`-4@%eax 8@(%rsp)`). Read with bounds (elf-file.ts): a malformed note is a NotElf naming it.
// Where each address is in the file (what a uprobe attaches by) comes from the loadable
// segments; the addresses are corrected by `.stapsdt.base`'s as prelink may have moved it.

import { alignUp } from "../../contract/c-layout.js";
import { NotElf, SHT_NOTE, withElfFile, type ElfSegment } from "./elf-file.js";
import { eachSymbol } from "./elf-symbols.js";

export interface UsdtProbe {
  provider: string;
  name: string;
  /** The probe's instruction, as the note gives it corrected by `.stapsdt.base`. */
  address: number;
  /** Its semaphore's address (0: the probe has none), corrected the same way. */
  semaphore: number;
  /** The arguments' specs as written ("" for none). */
  args: string;
}

export interface UsdtNotes {
  /** Whether the binary has a `.note.stapsdt` section at all. */
  readonly hasNotes: boolean;
  readonly probes: readonly UsdtProbe[];
  readonly segments: readonly ElfSegment[];
  /** ET_DYN (a shared library or PIE executable) or ET_EXEC. */
  readonly type: number;
  /** The address of the symbol `name` in its symbol tables (a global an argument reads), if it has one. */
  symbol(name: string): number | undefined;
}

const NOTE_TYPE_STAPSDT = 3;
const NOTE_OWNER = "stapsdt";
// Far above any real binary (python3 has 8 probes; big servers a few thousand).
const MAX_PROBES = 1 << 16;

/** `path`'s USDT probes; throws NotElf for a file that is not ELF or whose notes are malformed. */
export function usdtNotes(path: string): UsdtNotes {
  return withElfFile(path, (elf) => {
    const section = elf.sections.find((s) => s.name === ".note.stapsdt");
    const base = elf.sections.find((s) => s.name === ".stapsdt.base")?.address ?? 0;
    const common = { segments: elf.segments, type: elf.type };
    if (!section) return { hasNotes: false, probes: [], symbol: () => undefined, ...common };
    if (section.type !== SHT_NOTE) throw new NotElf(`its .note.stapsdt section is not a note section (type ${section.type})`);
    const probes = parseNotes(elf.read(section.offset, section.size, ".note.stapsdt section"), base);
    // Globals are read only for arguments that name one (`8@counter(%rip)`), while the file is open.
    const symbols = new Map<string, number>();
    if (probes.some((p) => p.args.includes("(%rip)"))) eachSymbol(elf, (s) => s.name && !symbols.has(s.name) && symbols.set(s.name, s.address));
    return { hasNotes: true, probes, symbol: (name: string) => symbols.get(name), ...common };
  });
}

// ELF pads a note's name and description to 4 bytes (alignUp is arithmetic: a size near 2^32 must not wrap).
const align4 = (n: number): number => alignUp(n, 4);

/** The probes of a `.note.stapsdt` section's bytes. */
export function parseNotes(data: Buffer, base: number): UsdtProbe[] {
  const probes: UsdtProbe[] = [];
  let at = 0;
  while (at < data.length) {
    const which = `the USDT note at byte ${at} of .note.stapsdt`;
    if (data.length - at < 12) throw new NotElf(`${which} is cut short (${data.length - at} bytes where its header needs 12)`);
    const nameSize = data.readUInt32LE(at);
    const descSize = data.readUInt32LE(at + 4);
    const type = data.readUInt32LE(at + 8);
    const nameAt = at + 12;
    const descAt = nameAt + align4(nameSize);
    const next = descAt + align4(descSize);
    if (next > data.length) throw new NotElf(`${which} says it holds ${nameSize} + ${descSize} bytes, past the section's end`);
    at = next;
    const owner = data.toString("latin1", nameAt, nameAt + nameSize).replace(/\0+$/, "");
    // Other owners' notes may share the section; only SystemTap's type 3 are probes.
    if (owner !== NOTE_OWNER || type !== NOTE_TYPE_STAPSDT) continue;
    if (probes.length >= MAX_PROBES) throw new NotElf(`its .note.stapsdt holds more than ${MAX_PROBES} probes`);
    probes.push(parseProbe(data.subarray(descAt, descAt + descSize), base, which));
  }
  return probes;
}

/** One note's description: three addresses, then provider, name and arguments, each NUL-terminated. */
function parseProbe(desc: Buffer, base: number, which: string): UsdtProbe {
  if (desc.length < 24 + 3) throw new NotElf(`${which} is ${desc.length} bytes, too short for its three addresses and three strings`);
  const address = (o: number) => {
    const v = desc.readBigUInt64LE(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new NotElf(`${which} gives an address (0x${v.toString(16)}) past any a binary has`);
    return Number(v);
  };
  const strings: string[] = [];
  let at = 24;
  for (const what of ["provider", "name", "arguments"]) {
    const end = desc.indexOf(0, at);
    if (end < 0) throw new NotElf(`${which} has no end to its ${what} (no NUL before the note's end)`);
    strings.push(desc.toString("latin1", at, end));
    at = end + 1;
  }
  const [provider, name, args] = strings;
  if (!name) throw new NotElf(`${which} (provider '${provider}') has no probe name`);
  const [location, noteBase, semaphore] = [address(0), address(8), address(16)];
  // Prelink moves .stapsdt.base and leaves the notes as linked: the difference moves the probe too.
  const shift = base && noteBase ? base - noteBase : 0;
  return { provider, name, address: location + shift, semaphore: semaphore ? semaphore + shift : 0, args: args.trim() };
}

/**
 * The file offset of `address` (a probe's instruction: in an executable segment; a semaphore: in
 * a writable one), as a uprobe and its reference counter take them; or undefined if no loadable
 * segment holds it.
 */
export function fileOffsetOf(segments: readonly ElfSegment[], address: number, executable: boolean): number | undefined {
  const seg = segments.find((s) => s.executable === executable && address >= s.address && address < s.address + s.memorySize);
  return seg && address - seg.address + seg.offset;
}
