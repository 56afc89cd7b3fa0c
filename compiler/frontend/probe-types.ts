// The probe language's types, derived from what the TypeScript checker says about a node.
// Integer widths survive type checking because stdlib/integers.d.ts brands each alias.

import type * as TS from "typescript";
import { isTsbpfDeclaration } from "../declaration-files.js";
import { Codes } from "./codes.js";
import type { CheckedSource } from "./checked-source.js";
import { errorAt } from "./spans.js";
import { TsbpfError } from "../../contract/errors.js";

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
export interface Field {
  name: string;
  type: ValueType;
  offset: number; // bytes
}
/** An interface or object type alias, laid out as C lays out a struct. */
export interface StructType {
  kind: "struct";
  name: string;
  fields: Field[];
  size: number;
  align: number;
}
/** `FixedArray<T, N>`: N elements of T, contiguous. */
export interface ArrayType {
  kind: "array";
  elem: ValueType;
  length: number;
  size: number;
  align: number;
}
/** `Str<N>`: N bytes holding a NUL-terminated string. */
export interface StrType {
  kind: "str";
  length: number;
  size: number;
  align: 1;
}
/** `Ptr<T>` / `UserPtr<T>`: an address (64 bits) of a T in another address space. */
export interface PtrType {
  kind: "ptr";
  to: ValueType;
  space: "kernel" | "user";
}
export type ScalarType = IntType | BoolType | PtrType;
export type AggregateType = StructType | ArrayType | StrType;
export type ValueType = ScalarType | AggregateType;
export type ProbeType = ValueType | VoidType;

export const isAggregate = (t: ProbeType): t is AggregateType => t.kind === "struct" || t.kind === "array" || t.kind === "str";

export function sizeOf(t: ValueType): number {
  return t.kind === "int" ? t.bits / 8 : t.kind === "bool" ? 1 : t.kind === "ptr" ? 8 : t.size;
}

export function alignOf(t: ValueType): number {
  return t.kind === "int" ? t.bits / 8 : t.kind === "bool" ? 1 : t.kind === "ptr" ? 8 : t.align;
}

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
  switch (t.kind) {
    case "int":
      return t.name;
    case "bool":
      return "boolean";
    case "void":
      return "void";
    case "struct":
      return t.name;
    case "array":
      return `FixedArray<${typeName(t.elem)}, ${t.length}>`;
    case "str":
      return `Str<${t.length}>`;
    case "ptr":
      return `${t.space === "kernel" ? "Ptr" : "UserPtr"}<${typeName(t.to)}>`;
  }
}

const layouts = new WeakMap<TS.Type, AggregateType>();

/**
 * The largest value a probe may describe. Nothing in BPF holds more (the stack has 512 bytes, a
 * per-CPU scratch buffer 32 KiB, a map value a few MiB at most); the bound keeps sizes exact
 * integers, far from where LLVM's and the kernel's 32- and 64-bit sizes overflow.
 */
export const MAX_VALUE_BYTES = 1024 * 1024;

function checkSize(t: AggregateType, at: TS.Node, what: string): void {
  if (t.size > MAX_VALUE_BYTES)
    throw errorAt(at, Codes.unsupportedType, `${what} takes ${t.size} bytes, more than a probe value may (${MAX_VALUE_BYTES} bytes)`, "use fewer or smaller elements; large data belongs in a map, read a piece at a time");
}

/** The name of the tsbpf type alias `type` is an instance of (u32, Str, FixedArray, …), if any. */
export function stdlibAlias(type: TS.Type | undefined): string | undefined {
  const alias = type?.aliasSymbol;
  return alias && isTsbpfDeclaration(alias.declarations?.[0]) ? alias.name : undefined;
}

export function probeTypeOf(p: CheckedSource, type: TS.Type, at: TS.Node): ProbeType {
  const { ts } = p;
  const alias = stdlibAlias(type);
  if (alias && INT_TYPES[alias]) return INT_TYPES[alias];
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return BOOL;
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return NUMBER;
  if (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return VOID;
  const known = layouts.get(type);
  if (known) return known;
  if (alias === "FixedArray") return arrayType(p, type, at);
  if (alias === "Str") return strType(type, at);
  if (alias === "Ptr" || alias === "UserPtr") {
    const to = valueType(p, type.aliasTypeArguments![0], at, "what a pointer points to");
    return { kind: "ptr", to, space: alias === "Ptr" ? "kernel" : "user" };
  }
  if (type.flags & ts.TypeFlags.Object && !type.getCallSignatures().length && !p.checker.isArrayType(type)) return forgottenIfRefused(type, () => structType(p, type, at));
  throw errorAt(at, Codes.unsupportedType, `the type '${p.checker.typeToString(type)}' cannot be used in probe code`, "use an integer type (u8…u64, i8…i64), boolean, an interface of those, or FixedArray<T, N>");
}

function valueType(p: CheckedSource, type: TS.Type, at: TS.Node, what: string): ValueType {
  const t = probeTypeOf(p, type, at);
  if (t.kind === "void") throw errorAt(at, Codes.unsupportedType, `${what} cannot be void`);
  return t;
}

function strType(type: TS.Type, at: TS.Node): StrType {
  const n = type.aliasTypeArguments?.[0];
  if (!n || !n.isNumberLiteral() || !Number.isInteger(n.value) || n.value <= 0 || n.value > 4096)
    throw errorAt(at, Codes.unsupportedType, "a Str's size must be an integer literal from 1 to 4096", "e.g. Str<16> for a task name, Str<256> for a path");
  const t: StrType = { kind: "str", length: n.value, size: n.value, align: 1 };
  layouts.set(type, t);
  return t;
}

function arrayType(p: CheckedSource, type: TS.Type, at: TS.Node): ArrayType {
  const [elemType, lengthType] = type.aliasTypeArguments ?? [];
  if (!lengthType || !lengthType.isNumberLiteral() || !Number.isInteger(lengthType.value) || lengthType.value <= 0)
    throw errorAt(at, Codes.unsupportedType, "a FixedArray's length must be a positive integer literal", "e.g. FixedArray<u32, 16>");
  if (lengthType.value > MAX_VALUE_BYTES)
    throw errorAt(at, Codes.unsupportedType, `a FixedArray of ${BigInt(lengthType.value)} elements is larger than a probe value may be (${MAX_VALUE_BYTES} bytes)`, "use fewer elements; large data belongs in a map, read a piece at a time");
  const elem = valueType(p, elemType, at, "an array element");
  const t: ArrayType = { kind: "array", elem, length: lengthType.value, size: sizeOf(elem) * lengthType.value, align: alignOf(elem) };
  checkSize(t, at, `a ${typeName(t)}`);
  layouts.set(type, t);
  return t;
}

/**
 * A struct's layout is cached before its fields are laid out (so that one containing itself
 * fails instead of recursing); one refused half-way is dropped, or the next use of the type
 * would see a struct without the refused field (the frontend goes on after an error).
 */
function forgottenIfRefused(type: TS.Type, layOut: () => StructType): StructType {
  try {
    return layOut();
  } catch (e) {
    layouts.delete(type);
    throw e;
  }
}

/** C layout: fields in declaration order, each at its natural alignment; size rounded to the largest. */
function structType(p: CheckedSource, type: TS.Type, at: TS.Node): StructType {
  const name = (type.aliasSymbol ?? type.getSymbol())?.name ?? "anonymous";
  const t: StructType = { kind: "struct", name: name === "__type" || name === "__object" ? "anonymous" : name, fields: [], size: 0, align: 1 };
  layouts.set(type, t); // before the fields: a self-referencing struct then fails below, not forever
  let offset = 0;
  for (const prop of p.checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (prop.flags & p.ts.SymbolFlags.Optional)
      throw errorAt(decl ?? at, Codes.unsupportedType, `field '${prop.name}' of ${t.name} is optional`, "a struct field always exists in memory: remove the `?`");
    const ft = valueType(p, p.checker.getTypeOfSymbolAtLocation(prop, decl ?? at), decl ?? at, `field '${prop.name}'`);
    if (ft === t) throw errorAt(decl ?? at, Codes.unsupportedType, `${t.name} contains itself`);
    offset = Math.ceil(offset / alignOf(ft)) * alignOf(ft);
    t.fields.push({ name: prop.name, type: ft, offset });
    offset += sizeOf(ft);
    t.align = Math.max(t.align, alignOf(ft));
  }
  if (!t.fields.length) throw errorAt(at, Codes.unsupportedType, `the type '${p.checker.typeToString(type)}' has no fields to lay out`);
  t.size = Math.ceil(offset / t.align) * t.align;
  checkSize(t, at, t.name === "anonymous" ? "this struct" : t.name);
  return t;
}

export function typeAt(p: CheckedSource, node: TS.Node): ProbeType {
  return probeTypeOf(p, p.checker.getTypeAtLocation(node), node);
}

/**
 * typeAt, or undefined where the type has no probe representation: for checks that look at a
 * value before lowering, which reports such a type where the value is used.
 */
export function typeIfKnown(p: CheckedSource, node: TS.Node): ProbeType | undefined {
  try {
    return typeAt(p, node);
  } catch (e) {
    if (e instanceof TsbpfError) return undefined;
    throw e;
  }
}
