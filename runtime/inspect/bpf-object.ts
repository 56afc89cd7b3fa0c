// What a BPF object holds, read from its bytes alone as libbpf reads it: the programs (global
// functions in code sections) and subprograms (functions in .text) with their instructions and
// line info, the licence, and its BTF (its maps and data: object-data.ts). Nothing here needs the compile manifest, libbpf or
// libLLVM: `tsbpf inspect` shows any object this way, and a probe's with its manifest beside.

import { parseBtf, Kind, TsbpfError, type Btf } from "../../compiler/btf/kernel-types.js";
import { readBpfElf, NotBpfObject, SHF_EXECINSTR, SHT_PROGBITS, STB_GLOBAL, STT_FUNC, STT_SECTION, type BpfElf, type ElfRelocation, type ElfSection, type ElfSymbol } from "./bpf-elf.js";
import { parseBtfExt, type BtfExt, type CoreRelocation, type LineInfo } from "./btf-ext.js";
import { INSTRUCTION_BYTES, instructionAt, isSubprogramCall, jumpOffset, isWideLoad, type Instruction, type Operands } from "./bpf-instructions.js";
import { CText } from "./btf-c-text.js";

export interface CodeFunction {
  name: string;
  section: ElfSection;
  /** Byte offset in its section. */
  offset: number;
  /** Instruction slots (a wide load counts two, as libbpf and the kernel count). */
  slots: number;
  /** A program libbpf loads (a global function outside .text), or else a subprogram. */
  program: boolean;
}

/** One instruction slot to show: what it is, and what its operands refer to. */
export interface ShownInstruction {
  /** Slot index within its function. */
  index: number;
  instruction: Instruction;
  /** The second slot of a wide load. */
  next?: Instruction;
  operands: Operands;
  /** The source line that starts at this instruction. */
  line?: LineInfo;
  /** CO-RE relocations of this instruction, described. */
  core: string[];
  /** Where a jump lands, as a slot index of the function. */
  jumpsTo?: number;
}

// enum bpf_core_relo_kind (libbpf's names, shortened).
const CORE_KINDS = ["field offset", "field size", "field exists", "field signed", "field lshift", "field rshift", "local type id", "target type id", "type exists", "type size", "enum value exists", "enum value", "type matches"];

const R_BPF_64_64 = 1;
const R_BPF_64_32 = 10;

export class BpfObject {
  readonly elf: BpfElf;
  readonly btf: Btf | undefined;
  readonly ext: BtfExt | undefined;
  readonly functions: CodeFunction[];
  readonly license: string | undefined;
  readonly c: CText | undefined;
  /** Each code section's functions, by offset. */
  private readonly bySection = new Map<number, CodeFunction[]>();

  constructor(bytes: Buffer, readonly file: string) {
    this.elf = readBpfElf(bytes);
    const btfSection = this.elf.section(".BTF");
    this.btf = btfSection ? parseObjectBtf(btfSection.bytes, file) : undefined;
    const extSection = this.elf.section(".BTF.ext");
    const btf = this.btf;
    this.ext = extSection && btf ? parseBtfExt(extSection.bytes, (offset) => btf.string(offset)) : undefined;
    this.c = btf && new CText(btf);
    this.functions = codeFunctions(this.elf);
    for (const f of [...this.functions].sort((a, b) => a.offset - b.offset)) listIn(this.bySection, f.section.index).push(f);
    if (!this.functions.some((f) => f.program)) throw new NotBpfObject("it has no BPF programs (no global function in a code section)");
    const license = this.elf.section("license");
    this.license = license && license.bytes.toString("latin1").replace(/\0.*$/s, "");
  }

  get programs(): CodeFunction[] {
    return this.functions.filter((f) => f.program);
  }
  get subprograms(): CodeFunction[] {
    return this.functions.filter((f) => !f.program);
  }

  /** The subprograms `f` calls, directly or not, each once: what libbpf appends to a program before loading it. */
  callees(f: CodeFunction): CodeFunction[] {
    const seen = new Set<CodeFunction>();
    for (const pending = [f]; pending.length; )
      for (const callee of this.directCallees(pending.pop()!))
        if (callee !== f && !seen.has(callee)) {
          seen.add(callee);
          pending.push(callee);
        }
    return [...seen];
  }

  /** The instructions libbpf loads for program `f`: its own and its subprograms'. */
  loadedSlots(f: CodeFunction): number {
    return this.callees(f).reduce((n, g) => n + g.slots, f.slots);
  }

  /** `f`'s instructions, each with its source line, operands and CO-RE relocations. */
  instructions(f: CodeFunction): ShownInstruction[] {
    const code = f.section.bytes.subarray(f.offset, f.offset + f.slots * INSTRUCTION_BYTES);
    const inRange = <T extends { offset: number }>(list: T[] | undefined) => (list ?? []).filter((x) => x.offset >= f.offset && x.offset < f.offset + code.length);
    const lines = new Map(inRange(this.ext?.lines.get(f.section.name)).map((l) => [l.offset, l]));
    const core = inRange(this.ext?.relocations.get(f.section.name));
    const relocations = new Map((this.elf.relocations.get(f.section.index) ?? []).map((r) => [r.offset, r]));
    const out: ShownInstruction[] = [];
    for (let index = 0; index < f.slots; index++) {
      const at = f.offset + index * INSTRUCTION_BYTES;
      const instruction = instructionAt(code, index);
      const wide = isWideLoad(instruction) && index + 1 < f.slots;
      const next = wide ? instructionAt(code, index + 1) : undefined;
      const relocation = relocations.get(at);
      const jumpsTo = jumpTarget(instruction, index);
      out.push({
        index,
        instruction,
        next,
        operands: this.operands(instruction, at, f, relocation),
        line: lines.get(at),
        core: core.filter((r) => r.offset === at).map((r) => this.describeCore(r)),
        ...(jumpsTo !== undefined && { jumpsTo }),
      });
      if (wide) index++;
    }
    return out;
  }

  private functionAt(section: number, offset: number): CodeFunction | undefined {
    const inSection = this.bySection.get(section) ?? [];
    // The last function starting at or before `offset` (they are sorted by offset).
    let low = 0;
    for (let high = inSection.length; low < high; ) {
      const mid = (low + high) >>> 1;
      if (inSection[mid].offset <= offset) low = mid + 1;
      else high = mid;
    }
    const f = inSection[low - 1];
    return f && offset < f.offset + f.slots * INSTRUCTION_BYTES ? f : undefined;
  }

  /** Where a BPF-to-BPF call at byte `at` of `f`'s section goes (libbpf's rule: relocated against a symbol, or relative in the same section). */
  private callTarget(i: Instruction, at: number, f: CodeFunction, relocation: ElfRelocation | undefined): CodeFunction | undefined {
    if (relocation?.type === R_BPF_64_32) return this.functionAt(relocation.symbol.section, relocation.symbol.value + (i.imm + 1) * INSTRUCTION_BYTES);
    return this.functionAt(f.section.index, at + (i.imm + 1) * INSTRUCTION_BYTES);
  }

  private directCallees(f: CodeFunction): CodeFunction[] {
    const code = f.section.bytes;
    const relocations = new Map((this.elf.relocations.get(f.section.index) ?? []).map((r) => [r.offset, r]));
    const out: CodeFunction[] = [];
    for (let at = f.offset; at < f.offset + f.slots * INSTRUCTION_BYTES; at += INSTRUCTION_BYTES) {
      const i = instructionAt(code, at / INSTRUCTION_BYTES);
      if (!isSubprogramCall(i)) continue;
      const target = this.callTarget(i, at, f, relocations.get(at));
      if (target && target !== f && !out.includes(target)) out.push(target);
    }
    return out;
  }

  private operands(i: Instruction, at: number, f: CodeFunction, relocation: ElfRelocation | undefined): Operands {
    if (isSubprogramCall(i)) {
      const target = this.callTarget(i, at, f, relocation);
      return target ? { callee: target.name } : {};
    }
    if (!relocation) return {};
    const { symbol } = relocation;
    if (relocation.type === R_BPF_64_32) return { callee: symbol.name };
    if (relocation.type !== R_BPF_64_64 || !isWideLoad(i)) return {};
    const section = this.elf.sections[symbol.section];
    if (!section) return { wideValue: `&${symbol.name}` };
    if (section.name === ".maps" || section.name === "maps") return { wideValue: `map[${symbol.name}]` };
    if (section.flags & SHF_EXECINSTR) return { wideValue: `&${symbol.name}` };
    const target = symbol.value + i.imm;
    const named = symbol.type === STT_SECTION ? "" : ` (${symbol.name})`;
    const text = /^\.rodata/.test(section.name) ? cString(section.bytes, target) : undefined;
    return { wideValue: `map[${section.name}]+${target}${named}${text !== undefined ? ` ${JSON.stringify(text)}` : ""}` };
  }

  private describeCore(r: CoreRelocation): string {
    const { btf } = this;
    const what = CORE_KINDS[r.kind] ?? `relocation ${r.kind}`;
    if (!btf || r.type >= btf.count) return `CO-RE ${what}`;
    // The compiler's local copies of kernel structs are `task_struct___<suffix>` (D131): name the kernel's.
    const root = btf.underlying(r.type, true);
    let path = btf.name(root).replace(/___\w+$/, "") || this.c!.of(root);
    let t = root;
    for (const [n, step] of r.access.split(":").map(Number).entries()) {
      if (n === 0) {
        if (step !== 0) path += `[${step}]`;
        continue;
      }
      const kind = btf.kind(t);
      if ((kind === Kind.Struct || kind === Kind.Union) && step < btf.vlen(t)) {
        path += `.${btf.memberName(t, step) || `<anonymous ${step}>`}`;
        t = btf.underlying(btf.memberType(t, step), true);
      } else if (kind === Kind.Array) {
        path += `[${step}]`;
        t = btf.underlying(btf.array(t).type, true);
      } else break;
    }
    return `CO-RE ${what}: ${path}`;
  }
}

/** The object's BTF; a malformed one is the object's fault, said as such. */
function parseObjectBtf(bytes: Buffer, file: string): Btf {
  try {
    return parseBtf(bytes, `${file} (.BTF)`);
  } catch (e) {
    if (!(e instanceof TsbpfError)) throw e;
    throw new NotBpfObject(`its .BTF section is malformed: ${e.message.replace(/^is not a usable BTF file: /, "")}`);
  }
}

/** The text at `at` of a read-only section, if a NUL-terminated string of printable characters starts there (printk's format). */
function cString(bytes: Buffer, at: number): string | undefined {
  const end = at >= 0 ? bytes.indexOf(0, at) : -1;
  if (end <= at) return undefined;
  const text = bytes.toString("latin1", at, end);
  return /^[\x20-\x7e\t\n]+$/.test(text) ? text : undefined;
}

/** A jump's target slot within its function, if the instruction jumps. */
function jumpTarget(i: Instruction, index: number): number | undefined {
  const offset = jumpOffset(i);
  return offset === undefined ? undefined : index + 1 + offset;
}

/** The list `map` holds for `key`, made empty if it holds none. */
function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** Programs and subprograms: the function symbols of code sections (a section without any is one program named after it). */
function codeFunctions(elf: BpfElf): CodeFunction[] {
  const out: CodeFunction[] = [];
  const functionSymbols = new Map<number, ElfSymbol[]>();
  for (const s of elf.symbols) if (s.type === STT_FUNC) listIn(functionSymbols, s.section).push(s);
  for (const section of elf.sections) {
    if (section.type !== SHT_PROGBITS || !(section.flags & SHF_EXECINSTR) || section.size === 0) continue;
    if (section.size % INSTRUCTION_BYTES !== 0) throw new NotBpfObject(`its code section '${section.name}' is ${section.size} bytes, not a whole number of 8-byte instructions`);
    const text = section.name === ".text";
    for (const s of (functionSymbols.get(section.index) ?? []).sort((a, b) => a.value - b.value)) {
      if (s.value % INSTRUCTION_BYTES !== 0 || s.value >= section.size) throw new NotBpfObject(`its function '${s.name}' starts at byte ${s.value} of '${section.name}', not at an instruction in it`);
      const size = s.size > 0 ? Math.min(s.size, section.size - s.value) : section.size - s.value;
      out.push({ name: s.name, section, offset: s.value, slots: Math.floor(size / INSTRUCTION_BYTES), program: !text && s.bind === STB_GLOBAL });
    }
  }
  return out.sort((a, b) => Number(b.program) - Number(a.program));
}
