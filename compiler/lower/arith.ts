// C integer semantics on the declared widths: integer promotion, the usual arithmetic
// conversions, wrapping, and division by zero as BPF defines it (x / 0 = 0, x % 0 = x).
// Values are kept at their C width in the IR (i8…i64, i1 for booleans), as clang does, so that
// LLVM picks the same 32-bit sub-register instructions clang would.

import type { IRBuilder, Value } from "../ir/ir-module.js";
import { constInt, isConstInt } from "../ir/ir-module.js";
import { i1, i64, i8, intType, ptrTo, structOf, type IRType } from "../ir/ir-types.js";
import { BOOL, INT_TYPES, isAggregate, type IntType, type ProbeType } from "../frontend/probe-types.js";

export interface Operand {
  value: Value;
  type: ProbeType;
}

/** What a call that gives nothing (printk, a map's add) evaluates to. */
export const NO_VALUE: Operand = { value: { type: { kind: "void" }, ref: "undef" }, type: { kind: "void" } };

/** Scalars are values of their width; aggregates travel as a pointer to their storage. */
export function irTypeOf(t: ProbeType): IRType {
  if (t.kind === "int") return intType(t.bits);
  if (t.kind === "bool") return i1;
  if (t.kind === "ptr") return i64;
  if (t.kind === "struct" || t.kind === "array" || t.kind === "str") return ptrTo(i8);
  // A value that may be absent: an aggregate's address or null; a scalar and whether it is there.
  if (t.kind === "optional") return isAggregate(t.of) ? ptrTo(i8) : structOf([i1, irTypeOf(t.of)]);
  return { kind: "void" };
}

/** C integer promotion: anything narrower than int becomes int. Booleans become int too. */
export function promote(t: IntType | typeof BOOL): IntType {
  if (t.kind === "bool" || t.bits < 32) return INT_TYPES.i32;
  return t;
}

/** C's usual arithmetic conversions on two promoted types. */
export function commonType(a: IntType, b: IntType): IntType {
  if (a.bits === b.bits && a.signed === b.signed) return a;
  if (a.signed === b.signed) return a.bits >= b.bits ? a : b;
  const [u, s] = a.signed ? [b, a] : [a, b];
  if (u.bits >= s.bits) return u;
  return s; // the signed type is wider, so it holds every value of the unsigned one
}

export function convert(b: IRBuilder, x: Operand, to: ProbeType): Operand {
  if (to.kind === "struct" || to.kind === "array" || to.kind === "str") {
    if (!sameLayout(x.type, to)) throw new ConversionError(x.type, to);
    return { value: x.value, type: to }; // a reference to the same storage
  }
  if (to.kind === "ptr" || x.type.kind === "ptr") {
    if (!sameLayout(x.type, to)) throw new ConversionError(x.type, to);
    return { value: x.value, type: to };
  }
  if (to.kind === "bool") return { value: truthy(b, x), type: BOOL };
  if (to.kind !== "int") throw new Error(`convert to ${to.kind}`);
  const target = intType(to.bits);
  if (x.type.kind === "bool") return { value: b.cast("zext", x.value, target), type: to };
  if (x.type.kind !== "int") throw new Error(`convert from ${x.type.kind}`);
  if (x.type.bits === to.bits) return { value: x.value, type: to };
  if (x.type.bits > to.bits) return { value: b.cast("trunc", x.value, target), type: to };
  return { value: b.cast(x.type.signed ? "sext" : "zext", x.value, target), type: to };
}

/** A value of one aggregate type used where another is expected (caught where it is used). */
export class ConversionError extends Error {
  constructor(
    readonly from: ProbeType,
    readonly to: ProbeType,
  ) {
    super("conversion between aggregate types");
  }
}

/** Two aggregate types with the same layout and field names are the same C type. */
export function sameLayout(a: ProbeType, b: ProbeType): boolean {
  if (a === b) return true;
  if (a.kind === "int" && b.kind === "int") return a.bits === b.bits && a.signed === b.signed;
  if (a.kind !== b.kind) return false;
  if (a.kind === "array" && b.kind === "array") return a.length === b.length && sameLayout(a.elem, b.elem);
  if (a.kind === "str" && b.kind === "str") return a.length === b.length;
  if (a.kind === "ptr" && b.kind === "ptr") return a.space === b.space && (a.to.kind === "kstruct" || b.to.kind === "kstruct" ? a.to.kind === b.to.kind : sameLayout(a.to, b.to));
  if (a.kind === "struct" && b.kind === "struct")
    // The same field types in the same order: the same offsets and size.
    return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i].name && sameLayout(f.type, b.fields[i].type));
  return true;
}

/** An i1 that is true when `x` is non-zero. */
export function truthy(b: IRBuilder, x: Operand): Value {
  if (x.type.kind === "bool") return x.value;
  return b.icmp("ne", x.value, constInt(x.value.type, 0));
}

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>";
export type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

const simple: Partial<Record<ArithOp, string>> = { "+": "add", "-": "sub", "*": "mul", "&": "and", "|": "or", "^": "xor" };

function asInt(t: ProbeType): IntType {
  if (t.kind === "int") return t;
  if (t.kind === "bool") return promote(BOOL);
  throw new Error(`arithmetic on ${t.kind}`);
}

/** The C result type of `a op b`. */
export function resultType(op: ArithOp, a: ProbeType, b: ProbeType): IntType {
  const pa = promote(asInt(a));
  if (op === "<<" || op === ">>" || op === ">>>") return pa;
  return commonType(pa, promote(asInt(b)));
}

export function arith(b: IRBuilder, op: ArithOp, x: Operand, y: Operand): Operand {
  const t = resultType(op, x.type, y.type);
  const l = convert(b, x, t).value;
  if (op === "<<" || op === ">>" || op === ">>>") {
    // The count is taken modulo the width, as the BPF instruction does (C leaves it undefined).
    const r = convert(b, y, t).value;
    const count = isConstInt(r) ? constInt(r.type, BigInt(r.ref) & BigInt(t.bits - 1)) : b.binary("and", r, constInt(r.type, t.bits - 1));
    const name = op === "<<" ? "shl" : op === ">>" && t.signed ? "ashr" : "lshr";
    return { value: b.binary(name, l, count), type: t };
  }
  const r = convert(b, y, t).value;
  const s = simple[op];
  if (s) return { value: b.binary(s, l, r), type: t };
  return { value: divide(b, op as "/" | "%", l, r, t.signed), type: t };
}

/**
 * Division with BPF's definition of x / 0 and x % 0. A non-zero constant divisor uses LLVM's
 * own udiv/urem (so it can strength-reduce); a variable one goes through the BPF instruction
 * directly, since LLVM treats division by zero as undefined and may optimise on it.
 * Signed division has no BPF instruction before cpu v4: it is done on magnitudes, truncating
 * toward zero as C does; the remainder takes the dividend's sign.
 */
function divide(b: IRBuilder, op: "/" | "%", l: Value, r: Value, signed: boolean): Value {
  if (!signed) return udivOrRem(b, op, l, r);
  const zero = constInt(l.type, 0);
  const lneg = b.icmp("slt", l, zero);
  const rneg = b.icmp("slt", r, zero);
  const la = b.select(lneg, b.binary("sub", zero, l), l);
  const ra = b.select(rneg, b.binary("sub", zero, r), r);
  const q = udivOrRem(b, op, la, ra);
  const negate = op === "/" ? b.binary("xor", lneg, rneg) : lneg;
  return b.select(negate, b.binary("sub", zero, q), q);
}

function udivOrRem(b: IRBuilder, op: "/" | "%", l: Value, r: Value): Value {
  if (isConstInt(r) && BigInt(r.ref) !== 0n) return b.binary(op === "/" ? "udiv" : "urem", l, r);
  const reg = l.type.kind === "int" && l.type.bits === 64 ? "r" : "w";
  const q = b.inlineAsm(l.type, "$0 /= $2", `=${reg},0,${reg}`, [l, r]);
  if (op === "/") return q;
  // x % y = x - (x / y) * y, which also gives x % 0 = x since x / 0 = 0.
  return b.binary("sub", l, b.binary("mul", q, r));
}

export function compare(b: IRBuilder, op: CompareOp, x: Operand, y: Operand): Operand {
  if (x.type.kind === "bool" && y.type.kind === "bool" && (op === "==" || op === "!=")) {
    return { value: b.icmp(op === "==" ? "eq" : "ne", x.value, y.value), type: BOOL };
  }
  const t = resultType("+", x.type, y.type);
  const l = convert(b, x, t).value;
  const r = convert(b, y, t).value;
  const pred = { "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" }[op];
  const full = op === "==" || op === "!=" ? pred : (t.signed ? "s" : "u") + pred;
  return { value: b.icmp(full, l, r), type: BOOL };
}
