// A BPF instruction decoder that writes each instruction as the kernel's verifier log and
// `bpftool prog dump xlated` do (kernel/bpf/disasm.c): `(bf) r6 = r1`, `(85) call
// bpf_get_current_task#35`, `(61) r2 = *(u32 *)(r1 +0)`. Our own rather than LLVM's disassembler
// (D171): it needs no libLLVM, names helpers, maps and subprograms, and speaks the verifier's
// dialect, so that what `tsbpf inspect` prints reads like the log of a rejected load.

import { helperName } from "../../contract/helper-ids.js";

/** One 8-byte instruction slot. */
export interface Instruction {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export const INSTRUCTION_BYTES = 8;

/** The instruction in slot `index` of `code`. */
export function instructionAt(code: Buffer, index: number): Instruction {
  const o = index * INSTRUCTION_BYTES;
  const regs = code[o + 1];
  return { code: code[o], dst: regs & 0xf, src: regs >> 4, off: code.readInt16LE(o + 2), imm: code.readInt32LE(o + 4) };
}

// The opcode's fields (include/uapi/linux/bpf_common.h, bpf.h).
const CLASS = { LD: 0, LDX: 1, ST: 2, STX: 3, ALU: 4, JMP: 5, JMP32: 6, ALU64: 7 } as const;
const BPF_X = 0x08;
const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;
const SIZE_NAMES: Record<number, string> = { 0x00: "u32", 0x08: "u16", 0x10: "u8", 0x18: "u64" };
const SIZE_BITS: Record<number, number> = { 0x00: 32, 0x08: 16, 0x10: 8, 0x18: 64 };
const ALU_OPS: Record<number, string> = { 0x00: "+=", 0x10: "-=", 0x20: "*=", 0x30: "/=", 0x40: "|=", 0x50: "&=", 0x60: "<<=", 0x70: ">>=", 0x90: "%=", 0xa0: "^=", 0xb0: "=", 0xc0: "s>>=" };
const NEG = 0x80;
const END = 0xd0;
const JUMP_OPS: Record<number, string> = { 0x10: "==", 0x20: ">", 0x30: ">=", 0x40: "&", 0x50: "!=", 0x60: "s>", 0x70: "s>=", 0xa0: "<", 0xb0: "<=", 0xc0: "s<", 0xd0: "s<=" };
const JA = 0x00;
const CALL = 0x80;
const EXIT = 0x90;
const ATOMIC_OPS: Record<number, string> = { 0x00: "add", 0x40: "or", 0x50: "and", 0xa0: "xor" };
const BPF_FETCH = 0x01;
const XCHG = 0xe0 | BPF_FETCH;
const CMPXCHG = 0xf0 | BPF_FETCH;
/** src_reg of a call: a BPF-to-BPF call (to a subprogram), a kernel function (kfunc). */
const PSEUDO_CALL = 1;
const PSEUDO_KFUNC_CALL = 2;

/** A 64-bit immediate load (`lddw`) fills two slots. */
export const isWideLoad = (i: Instruction): boolean => i.code === (CLASS.LD | MODE.IMM | 0x18);
export const isCall = (i: Instruction): boolean => i.code === (CLASS.JMP | CALL);
export const isSubprogramCall = (i: Instruction): boolean => isCall(i) && i.src === PSEUDO_CALL;
export const isKernelFunctionCall = (i: Instruction): boolean => isCall(i) && i.src === PSEUDO_KFUNC_CALL;

/** A jump's target, relative to the next instruction (undefined for anything but a jump). */
export function jumpOffset(i: Instruction): number | undefined {
  const cls = i.code & 7;
  if (cls !== CLASS.JMP && cls !== CLASS.JMP32) return undefined;
  const op = i.code & 0xf0;
  if (op === CALL || op === EXIT) return undefined;
  return op === JA && cls === CLASS.JMP32 ? i.imm : i.off; // JMP32|JA is `gotol` (a 32-bit offset)
}


/** What an instruction's operands name beyond its bytes: a map a wide load takes the address of, a subprogram or kernel function a call goes to. */
export interface Operands {
  /** For a wide load: the value to show instead of its immediate (`map[execs]`). */
  wideValue?: string;
  /** For a call to a subprogram or kernel function: its name. */
  callee?: string;
}

/**
 * The instruction as the kernel prints it, after the slot number: `(07) r1 += -8`. A wide load
 * takes `next`, its second slot.
 */
export function instructionText(i: Instruction, next: Instruction | undefined, operands: Operands = {}): string {
  const code = `(${i.code.toString(16).padStart(2, "0")})`;
  return `${code} ${body(i, next, operands)}`;
}

const offset = (n: number) => (n < 0 ? `-${-n}` : `+${n}`);
const at = (size: number, reg: number, off: number) => `*(${SIZE_NAMES[size]} *)(r${reg} ${offset(off)})`;

function body(i: Instruction, next: Instruction | undefined, operands: Operands): string {
  const cls = i.code & 7;
  switch (cls) {
    case CLASS.ALU:
    case CLASS.ALU64:
      return alu(i, cls === CLASS.ALU64);
    case CLASS.JMP:
    case CLASS.JMP32:
      return jump(i, cls === CLASS.JMP32, operands);
    case CLASS.LDX: {
      const mode = i.code & 0xe0;
      const size = i.code & 0x18;
      if (mode === MODE.MEMSX) return `r${i.dst} = *(s${SIZE_BITS[size]} *)(r${i.src} ${offset(i.off)})`;
      return mode === MODE.MEM ? `r${i.dst} = ${at(size, i.src, i.off)}` : invalid(i);
    }
    case CLASS.ST:
      return (i.code & 0xe0) === MODE.MEM ? `${at(i.code & 0x18, i.dst, i.off)} = ${i.imm}` : invalid(i);
    case CLASS.STX:
      return store(i);
    default:
      return load(i, next, operands);
  }
}

function alu(i: Instruction, wide: boolean): string {
  const r = wide ? "r" : "w";
  const op = i.code & 0xf0;
  if (op === END) return wide ? `r${i.dst} = bswap${i.imm} r${i.dst}` : `r${i.dst} = ${i.code & BPF_X ? "be" : "le"}${i.imm} r${i.dst}`;
  if (op === NEG) return `${r}${i.dst} = -${r}${i.dst}`;
  const name = ALU_OPS[op];
  if (!name) return invalid(i);
  // cpu v4: a signed division or modulo (off 1), a move with sign extension (off 8, 16, 32).
  const signed = (op === 0x30 || op === 0x90) && i.off === 1 ? "s" : "";
  if (i.code & BPF_X) return op === 0xb0 && i.off ? `${r}${i.dst} = (s${i.off}) ${r}${i.src}` : `${r}${i.dst} ${name} ${signed}${r}${i.src}`;
  return `${r}${i.dst} ${name} ${signed}${i.imm}`;
}

function jump(i: Instruction, narrow: boolean, operands: Operands): string {
  const op = i.code & 0xf0;
  if (op === CALL) {
    if (i.src === PSEUDO_CALL) return `call ${operands.callee ?? `pc${offset(i.imm)}`}`;
    if (i.src === PSEUDO_KFUNC_CALL) return `call ${operands.callee ?? "kernel-function"}#${i.imm}`;
    return `call ${helperName(i.imm)}#${i.imm}`;
  }
  if (op === EXIT) return "exit";
  if (op === JA) return narrow ? `gotol pc${offset(i.imm)}` : `goto pc${offset(i.off)}`;
  const name = JUMP_OPS[op];
  if (!name) return invalid(i);
  const r = narrow ? "w" : "r";
  const right = i.code & BPF_X ? `${r}${i.src}` : `0x${(i.imm >>> 0).toString(16)}`;
  return `if ${r}${i.dst} ${name} ${right} goto pc${offset(i.off)}`;
}

function store(i: Instruction): string {
  const mode = i.code & 0xe0;
  const size = i.code & 0x18;
  if (mode === MODE.MEM) return `${at(size, i.dst, i.off)} = r${i.src}`;
  if (mode !== MODE.ATOMIC) return invalid(i);
  const bits = size === 0x18 ? "64" : "";
  const place = `(${SIZE_NAMES[size]} *)(r${i.dst} ${offset(i.off)})`;
  if (i.imm === XCHG) return `r${i.src} = atomic${bits}_xchg(${place}, r${i.src})`;
  if (i.imm === CMPXCHG) return `r0 = atomic${bits}_cmpxchg(${place}, r0, r${i.src})`;
  const op = ATOMIC_OPS[i.imm & ~BPF_FETCH];
  if (!op) return invalid(i);
  if (i.imm & BPF_FETCH) return `r${i.src} = atomic${bits}_fetch_${op}(${place}, r${i.src})`;
  return `lock ${at(size, i.dst, i.off)} ${ALU_OPS[i.imm]} r${i.src}`;
}

function load(i: Instruction, next: Instruction | undefined, operands: Operands): string {
  const mode = i.code & 0xe0;
  const size = SIZE_NAMES[i.code & 0x18];
  if (mode === MODE.ABS) return `r0 = *(${size} *)skb[${i.imm}]`;
  if (mode === MODE.IND) return `r0 = *(${size} *)skb[r${i.src} + ${i.imm}]`;
  if (!isWideLoad(i) || !next) return invalid(i);
  const value = (BigInt(next.imm >>> 0) << 32n) | BigInt(i.imm >>> 0);
  return `r${i.dst} = ${operands.wideValue ?? `0x${value.toString(16)}`}`;
}

const invalid = (i: Instruction) => `invalid instruction (code 0x${i.code.toString(16).padStart(2, "0")})`;
