// The probe language's types, derived from what the TypeScript checker says about a node.
// Integer widths survive type checking because stdlib/index.d.ts brands each alias.

import type * as TS from "typescript";
import { stdlibIndex } from "../paths.js";
import { Codes } from "./codes.js";
import type { ProbeProgram } from "./program.js";
import { errorAt } from "./spans.js";

export interface IntType {
  kind: "int";
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
  name: string;
}
export interface BoolType {
  kind: "bool";
}
export interface VoidType {
  kind: "void";
}
export type ProbeType = IntType | BoolType | VoidType;

const int = (name: string, bits: IntType["bits"], signed: boolean): IntType => ({ kind: "int", bits, signed, name });
export const INT_TYPES: Record<string, IntType> = {
  u8: int("u8", 8, false),
  u16: int("u16", 16, false),
  u32: int("u32", 32, false),
  u64: int("u64", 64, false),
  i8: int("i8", 8, true),
  i16: int("i16", 16, true),
  i32: int("i32", 32, true),
  i64: int("i64", 64, true),
};
export const BOOL: BoolType = { kind: "bool" };
export const VOID: VoidType = { kind: "void" };
/** A numeric literal or plain `number`: 64-bit signed, as an untyped constant would be. */
export const NUMBER = INT_TYPES.i64;

export function typeName(t: ProbeType): string {
  return t.kind === "int" ? t.name : t.kind === "bool" ? "boolean" : "void";
}

export function probeTypeOf(p: ProbeProgram, type: TS.Type, at: TS.Node): ProbeType {
  const { ts } = p;
  const alias = type.aliasSymbol;
  if (alias && INT_TYPES[alias.name] && alias.declarations?.[0]?.getSourceFile().fileName === stdlibIndex) return INT_TYPES[alias.name];
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return BOOL;
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return NUMBER;
  if (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return VOID;
  throw errorAt(at, Codes.unsupportedType, `the type '${p.checker.typeToString(type)}' cannot be used in probe code`, "use an integer type (u8…u64, i8…i64) or boolean");
}

export function typeAt(p: ProbeProgram, node: TS.Node): ProbeType {
  return probeTypeOf(p, p.checker.getTypeAtLocation(node), node);
}
