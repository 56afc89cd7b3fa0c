// The AST of generated programs. Every expression carries its C type (`ty`) so that the
// generator can reason about types and the printer can add the casts TypeScript asks for; the
// constructors below compute it. Edited trees (see shrink.ts) are re-typed by check.ts.

import { common, literalType, promote, type IntType, type Type } from "./types.js";

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>";
export type CompareOp = "<" | "<=" | ">" | ">=" | "===" | "!==";
export type LogicOp = "&&" | "||";
/** `-x` is `0 - x`, `+x` is `0 + x`, `~x` is `x ^ -1` (with i32 literals). */
export type UnaryOp = "-" | "+" | "~";
export type AssignOp = "=" | `${ArithOp}=`;

export const ARITH_OPS: readonly ArithOp[] = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"];
export const COMPARE_OPS: readonly CompareOp[] = ["<", "<=", ">", ">=", "===", "!=="];
export const SHIFT_OPS: readonly ArithOp[] = ["<<", ">>", ">>>"];

export type Expr =
  /** An integer literal; `hex` only changes how it is printed (`-0x10` for a negative one). */
  | { kind: "lit"; value: bigint; hex: boolean; ty: IntType }
  /** `true` / `false`: produced by the shrinker only. */
  | { kind: "bool"; value: boolean; ty: "bool" }
  | { kind: "var"; name: string; ty: Type }
  | { kind: "arith"; op: ArithOp; left: Expr; right: Expr; ty: IntType }
  | { kind: "compare"; op: CompareOp; left: Expr; right: Expr; ty: "bool" }
  | { kind: "logic"; op: LogicOp; left: Expr; right: Expr; ty: "bool" }
  | { kind: "unary"; op: UnaryOp; operand: Expr; ty: IntType }
  | { kind: "not"; operand: Expr; ty: "bool" }
  | { kind: "cond"; test: Expr; then: Expr; else: Expr; ty: Type }
  | { kind: "cast"; to: IntType; operand: Expr; ty: IntType }
  | { kind: "call"; fn: string; args: Expr[]; ty: IntType };

export type Stmt =
  | { kind: "let"; name: string; ty: Type; init: Expr; mutable: boolean }
  | { kind: "assign"; name: string; op: AssignOp; value: Expr }
  | { kind: "incdec"; name: string; op: "++" | "--" }
  | { kind: "if"; test: Expr; then: Stmt[]; else: Stmt[] | null }
  /** `for (let counter: u32 = 0; counter < bound; counter++) { body }` */
  | { kind: "for"; counter: string; bound: number; body: Stmt[] }
  | { kind: "return"; value: Expr };

export interface Param {
  name: string;
  ty: IntType;
}

export interface Func {
  name: string;
  params: Param[];
  ret: IntType;
  body: Stmt[];
}

/** Functions in order; a function calls only those before it. */
export interface Program {
  functions: Func[];
}

// ── Expression constructors (they compute `ty` by the language's rules) ────────────────────────

export const lit = (value: bigint, hex = false): Expr => ({ kind: "lit", value, hex, ty: literalType(value) });
export const boolLit = (value: boolean): Expr => ({ kind: "bool", value, ty: "bool" });
export const ref = (name: string, ty: Type): Expr => ({ kind: "var", name, ty });
export const cast = (to: IntType, operand: Expr): Expr => ({ kind: "cast", to, operand, ty: to });
export const not = (operand: Expr): Expr => ({ kind: "not", operand, ty: "bool" });
export const compare = (op: CompareOp, left: Expr, right: Expr): Expr => ({ kind: "compare", op, left, right, ty: "bool" });
export const logic = (op: LogicOp, left: Expr, right: Expr): Expr => ({ kind: "logic", op, left, right, ty: "bool" });
export const call = (fn: Pick<Func, "name" | "ret">, args: Expr[]): Expr => ({ kind: "call", fn: fn.name, args, ty: fn.ret });

export function arith(op: ArithOp, left: Expr, right: Expr): Expr {
  // Shifts take the promoted left type; the count does not take part in the conversions.
  const ty = SHIFT_OPS.includes(op) ? promote(left.ty) : common(left.ty, right.ty);
  return { kind: "arith", op, left, right, ty };
}

export function unary(op: UnaryOp, operand: Expr): Expr {
  return { kind: "unary", op, operand, ty: common("i32", operand.ty) };
}

export function cond(test: Expr, then: Expr, otherwise: Expr): Expr {
  const ty: Type = then.ty === "bool" && otherwise.ty === "bool" ? "bool" : common(then.ty, otherwise.ty);
  return { kind: "cond", test, then, else: otherwise, ty };
}

/** An expression of exactly `value` and type `ty`, for any 64-bit value (TS literals stop at 2^53). */
export function constant(value: bigint, ty: IntType): Expr {
  const max = (1n << 53n) - 1n;
  if (value >= -max && value <= max) return cast(ty, lit(value, value > 0xffffn || value < -0xffffn));
  const u = BigInt.asUintN(64, value);
  const hi = arith("<<", cast("u64", lit(u >> 32n, true)), lit(32n));
  return cast(ty, arith("|", hi, cast("u64", lit(u & 0xffffffffn, true))));
}

// ── Statement constructors ─────────────────────────────────────────────────────────────────────

export const letStmt = (name: string, ty: Type, init: Expr, mutable = true): Stmt => ({ kind: "let", name, ty, init, mutable });
export const assign = (name: string, op: AssignOp, value: Expr): Stmt => ({ kind: "assign", name, op, value });
export const incdec = (name: string, op: "++" | "--"): Stmt => ({ kind: "incdec", name, op });
export const ifStmt = (test: Expr, then: Stmt[], otherwise: Stmt[] | null = null): Stmt => ({ kind: "if", test, then, else: otherwise });
export const forStmt = (counter: string, bound: number, body: Stmt[]): Stmt => ({ kind: "for", counter, bound, body });
export const ret = (value: Expr): Stmt => ({ kind: "return", value });
