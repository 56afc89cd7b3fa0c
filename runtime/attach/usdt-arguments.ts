// A USDT probe's argument specs, as sys/sdt.h has the assembler write them into its note: one
// per argument, `size@operand` in AT&T syntax, the size negative for a signed value. x86-64's
// operands: `$-9` (a constant), `%eax` (a register, or its low part), `-20(%rbp)` (memory at a
// register plus an offset), `8(%rbx,%rcx,4)` (base + index × scale + offset), `counter(%rip)`
// (a global, by its symbol). Each becomes libbpf's struct __bpf_usdt_arg_spec
// (contract/usdt-spec.ts), which the program reads at the site that fired.

import { X86_64_PT_REGS } from "../../contract/pt-regs.js";
import { ARG_TYPE_BITS, UsdtArgKind } from "../../contract/usdt-spec.js";

export type UsdtOperand =
  | { kind: "constant"; value: bigint }
  | { kind: "register"; register: string }
  /** `offset` is a number, or a symbol plus a number (`counter+8(%rip)`). */
  | { kind: "memory"; base: string; offset: bigint; symbol?: string; index?: { register: string; scale: number } };

export interface UsdtArgument {
  /** As the note writes it: "-4@%eax". */
  text: string;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
  operand: UsdtOperand;
}

/** How the program reads one argument: struct __bpf_usdt_arg_spec's fields (contract/usdt-spec.ts's USDT_ARG_SPEC). */
export interface ArgSpecFields {
  val_off: bigint;
  arg_type: number;
  reg_off: number;
  arg_signed: boolean;
  arg_bitshift: number;
}

// Each x86-64 general register's names, 64-bit first, then its low 32, 16 and 8 bits: all read
// as the whole register, the argument's size keeping the low bytes.
const REGISTER_NAMES: Record<string, string[]> = {
  ax: ["rax", "eax", "ax", "al"], bx: ["rbx", "ebx", "bx", "bl"], cx: ["rcx", "ecx", "cx", "cl"], dx: ["rdx", "edx", "dx", "dl"],
  si: ["rsi", "esi", "si", "sil"], di: ["rdi", "edi", "di", "dil"], bp: ["rbp", "ebp", "bp", "bpl"], sp: ["rsp", "esp", "sp", "spl"],
  ip: ["rip", "eip"],
  ...Object.fromEntries([8, 9, 10, 11, 12, 13, 14, 15].map((n) => [`r${n}`, [`r${n}`, `r${n}d`, `r${n}w`, `r${n}b`]])),
};
const PT_REGS_NAME = new Map(Object.entries(REGISTER_NAMES).flatMap(([regs, names]) => names.map((n) => [n, regs] as const)));

const NUMBER = "-?(?:0x[0-9a-fA-F]+|[0-9]+)";
const SYMBOL = "[A-Za-z_.$][A-Za-z0-9_.$@]*";
const REG = "%([a-z0-9]+)";
const ARG = new RegExp(`^(-?[0-9]+)@(.+)$`);
const CONSTANT = new RegExp(`^\\$(${NUMBER})$`);
const REGISTER = new RegExp(`^${REG}$`);
// disp(base[,index[,scale]]): the displacement a number, a symbol, or a symbol ± a number.
const MEMORY = new RegExp(`^(?:(${NUMBER})|(${SYMBOL})(?:([+-])(${NUMBER}))?)?\\(${REG}(?:,${REG}(?:,([1248]))?)?\\)$`);

/** A probe's arguments from its note's spec string; or what is wrong with the first one tsbpf cannot read. */
export function parseUsdtArguments(specs: string): UsdtArgument[] | { problem: string } {
  const out: UsdtArgument[] = [];
  for (const text of specs.split(/\s+/).filter(Boolean)) {
    const arg = parseArgument(text);
    if ("problem" in arg) return { problem: `argument ${out.length} ('${text}') ${arg.problem}` };
    out.push(arg);
  }
  return out;
}

function parseArgument(text: string): UsdtArgument | { problem: string } {
  const m = ARG.exec(text);
  if (!m) return { problem: "is not size@operand" };
  const sized = Number(m[1]);
  const size = Math.abs(sized);
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return { problem: `has a size of ${size} bytes (1, 2, 4 or 8 are read)` };
  const operand = parseOperand(m[2]);
  if ("problem" in operand) return operand;
  return { text, size, signed: sized < 0, operand };
}

function register(name: string): string | { problem: string } {
  return PT_REGS_NAME.get(name) ?? { problem: `names register %${name}, which tsbpf does not read (x86-64's general registers are read, not %ah-style high bytes or vector registers)` };
}

function parseOperand(op: string): UsdtOperand | { problem: string } {
  let m = CONSTANT.exec(op);
  if (m) return { kind: "constant", value: parseNumber(m[1]) };
  if ((m = REGISTER.exec(op))) {
    const r = register(m[1]);
    return typeof r === "string" ? { kind: "register", register: r } : r;
  }
  if ((m = MEMORY.exec(op))) {
    const [, number, symbol, sign, addend, baseName, indexName, scale] = m;
    const base = register(baseName);
    if (typeof base !== "string") return base;
    let offset = number ? parseNumber(number) : 0n;
    if (symbol) {
      if (base !== "ip") return { problem: `reads a global ('${symbol}') relative to %${baseName}: tsbpf finds globals relative to %rip only` };
      if (addend) offset = sign === "-" ? -parseNumber(addend) : parseNumber(addend);
    }
    if (!indexName) return { kind: "memory", base, offset, ...(symbol && { symbol }) };
    const index = register(indexName);
    if (typeof index !== "string") return index;
    return { kind: "memory", base, offset, ...(symbol && { symbol }), index: { register: index, scale: scale ? Number(scale) : 1 } };
  }
  return { problem: "is an operand tsbpf does not read (it reads $constant, %register, offset(%base) and offset(%base,%index,scale))" };
}

const parseNumber = (text: string): bigint => (text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text));

/**
 * The fields of the argument's struct __bpf_usdt_arg_spec. `at` is the probe's address and
 * `symbol` finds a global's in the binary: a `sym(%rip)` operand's address is the instruction
 * pointer the program sees (the probe's address, where it is loaded) plus the symbol's distance
 * from the probe.
 */
export function argSpecFields(arg: UsdtArgument, at: number, symbol: (name: string) => number | undefined): ArgSpecFields | { problem: string } {
  const shape = { arg_signed: arg.signed, arg_bitshift: 64 - arg.size * 8 };
  const op = arg.operand;
  if (op.kind === "constant") return { val_off: BigInt.asUintN(64, op.value), arg_type: UsdtArgKind.constant, reg_off: 0, ...shape };
  if (op.kind === "register") return { val_off: 0n, arg_type: UsdtArgKind.register, reg_off: X86_64_PT_REGS[op.register], ...shape };
  let offset = op.offset;
  if (op.symbol) {
    const address = symbol(op.symbol);
    if (address === undefined) return { problem: `reads the global '${op.symbol}', which the binary's symbol tables do not name (is it stripped?)` };
    offset += BigInt(address) - BigInt(at);
  }
  const val_off = BigInt.asUintN(64, offset);
  if (!op.index) return { val_off, arg_type: UsdtArgKind.memory, reg_off: X86_64_PT_REGS[op.base], ...shape };
  const indexed = UsdtArgKind.indexed | (X86_64_PT_REGS[op.index.register] << ARG_TYPE_BITS.indexShift) | (Math.log2(op.index.scale) << ARG_TYPE_BITS.scaleShift);
  return { val_off, arg_type: indexed, reg_off: X86_64_PT_REGS[op.base], ...shape };
}

/** What an argument is, for `tsbpf list`: "i32 in %eax", "u64 at 12(%rsp)". */
export function describeArgument(arg: UsdtArgument): string {
  const type = `${arg.signed ? "i" : "u"}${arg.size * 8}`;
  const operand = arg.text.slice(arg.text.indexOf("@") + 1);
  return arg.operand.kind === "constant" ? `${type} constant ${arg.operand.value}` : arg.operand.kind === "register" ? `${type} in ${operand}` : `${type} at ${operand}`;
}
