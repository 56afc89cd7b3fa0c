// The AST of generated programs. Every expression carries its C type (`ty`) so that the
// generator can reason about types and the printer can add the casts TypeScript asks for; the
// constructors below compute it. Edited trees (see shrink.ts) are re-typed by check.ts.

import { common, literalType, promotedType, type IntType, type Type } from "./reference-types.js";

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
  | { kind: "call"; fn: string; args: Expr[]; ty: IntType }
  /** `name.path[0].path[1]…`: an integer field of struct local `name`; `ty` is the field's type. */
  | { kind: "field"; name: string; path: string[]; ty: IntType };

/** A field of a struct local, as read or as the target of an assignment. */
export type FieldRef = Extract<Expr, { kind: "field" }>;

/** An object literal giving every field of a struct once, in any order (a struct local's initialiser). */
export interface ObjectLit {
  kind: "object";
  fields: FieldInit[];
}

/**
 * One field of an object literal: an integer field with its value (converted to `ty`, the field's
 * type, as `let x: ty = value` would; check.ts recomputes `ty`), or a nested struct's literal.
 */
export type FieldInit = { name: string; ty: IntType; value: Expr } | { name: string; value: ObjectLit };

export type Stmt =
  | { kind: "let"; name: string; ty: Type; init: Expr; mutable: boolean }
  | { kind: "assign"; name: string; op: AssignOp; value: Expr }
  | { kind: "incdec"; name: string; op: "++" | "--" }
  | { kind: "if"; test: Expr; then: Stmt[]; else: Stmt[] | null }
  /** `for (let counter: u32 = 0; counter < bound; counter++) { body }` */
  | { kind: "for"; counter: string; bound: number; body: Stmt[] }
  | { kind: "return"; value: Expr }
  /**
   * `const name: struct = init`. Struct locals are always const, never copied, passed or returned:
   * just a set of typed integer cells. `struct` names a declaration in `Program.structs`.
   */
  | { kind: "letStruct"; name: string; struct: string; init: ObjectLit }
  /** `target op value`: computed by the usual rules, stored converted to the field's type. */
  | { kind: "fieldAssign"; target: FieldRef; op: AssignOp; value: Expr }
  | { kind: "fieldIncdec"; target: FieldRef; op: "++" | "--" };

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

/** A field's type: an integer, or (one struct nested in another) a struct declared before. */
export type FieldType = IntType | { struct: string };

export interface StructField {
  name: string;
  ty: FieldType;
}

/** `interface name { field: ty; … }`, laid out as C lays it out. */
export interface StructDecl {
  name: string;
  fields: StructField[];
}

/**
 * Struct declarations (printed first, each using only those before it) and functions in order;
 * a function calls only those before it. Struct names appear in the JSON only as
 * `structs[i].name` and as the value of properties named `struct` (a nested field's
 * `ty.struct`, a `letStruct` statement's `struct`); function names only as `functions[i].name`
 * and a call's `fn`. `renameProgram` (rename.ts) prefixes both. `structs` may be left out.
 */
export interface Program {
  structs?: StructDecl[];
  functions: Func[];
}

export const isStructType = (t: FieldType): t is { struct: string } => typeof t === "object";
export const isNestedInit = (f: FieldInit): f is { name: string; value: ObjectLit } => f.value.kind === "object";

// ── Expression constructors (they compute `ty` by the language's rules) ────────────────────────

export const lit = (value: bigint, hex = false): Expr => ({ kind: "lit", value, hex, ty: literalType(value) });
export const boolLit = (value: boolean): Expr => ({ kind: "bool", value, ty: "bool" });
export const ref = (name: string, ty: Type): Expr => ({ kind: "var", name, ty });
export const cast = (to: IntType, operand: Expr): Expr => ({ kind: "cast", to, operand, ty: to });
export const not = (operand: Expr): Expr => ({ kind: "not", operand, ty: "bool" });
export const compare = (op: CompareOp, left: Expr, right: Expr): Expr => ({ kind: "compare", op, left, right, ty: "bool" });
export const logic = (op: LogicOp, left: Expr, right: Expr): Expr => ({ kind: "logic", op, left, right, ty: "bool" });
export const call = (fn: Pick<Func, "name" | "ret">, args: Expr[]): Expr => ({ kind: "call", fn: fn.name, args, ty: fn.ret });
/** A read of `name.path…`, an integer field of type `ty`. */
export const field = (name: string, path: readonly string[], ty: IntType): FieldRef => ({ kind: "field", name, path: [...path], ty });

export function arith(op: ArithOp, left: Expr, right: Expr): Expr {
  // Shifts take the promoted left type; the count does not take part in the conversions.
  const ty = SHIFT_OPS.includes(op) ? promotedType(left.ty) : common(left.ty, right.ty);
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
export const letStruct = (name: string, struct: string, init: ObjectLit): Stmt => ({ kind: "letStruct", name, struct, init });
export const fieldAssign = (target: FieldRef, op: AssignOp, value: Expr): Stmt => ({ kind: "fieldAssign", target, op, value });
export const fieldIncdec = (target: FieldRef, op: "++" | "--"): Stmt => ({ kind: "fieldIncdec", target, op });

/**
 * An object literal from `{ name: value }`, nested objects for nested structs. An integer
 * field's `ty` is given as `[ty, value]`; a bare expression gets its own type as a placeholder
 * (check.ts's retype fills in the field's).
 */
export function object(fields: Record<string, Expr | [IntType, Expr] | ObjectLit>): ObjectLit {
  return {
    kind: "object",
    fields: Object.entries(fields).map(([name, x]): FieldInit => {
      if (Array.isArray(x)) return { name, ty: x[0], value: x[1] };
      if (x.kind === "object") return { name, value: x };
      return { name, ty: x.ty === "bool" ? "i32" : x.ty, value: x };
    }),
  };
}
