// The probe language's types, derived from what the TypeScript checker says about a node.
// Integer widths survive type checking because stdlib/integers.d.ts brands each alias.

import type * as TS from "typescript";
import { isTsbpfDeclaration } from "../declaration-files.js";
import { Codes } from "./codes.js";
import type { CheckedSource } from "./checked-source.js";
import { errorAt } from "./spans.js";
import { TsbpfError } from "../../contract/errors.js";
import { cTypeName, intRange, sizeOf, type CInt, type ValueFormat } from "../../contract/c-layout.js";
import { formattedType } from "./formatted-types.js";
import { KERNEL_DECLARATIONS_FILE } from "../kernel/kernel-declarations.js";

export interface IntType extends CInt {
  /** The alias the author wrote (u8 … i64, or a const enum's name); the C type is the rest. */
  name: string;
  /** A `const enum`'s type: C's enum, an integer whose BTF names the members. */
  members?: readonly { name: string; value: bigint }[];
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
}
/**
 * An interface or object type alias, laid out as C lays out a struct (contract/c-layout.ts:
 * `structLayout`, `sizeOf`, `alignOf`; every probe value type is a `CType`).
 */
export interface StructType {
  kind: "struct";
  name: string;
  fields: Field[];
}
/** `FixedArray<T, N>`: N elements of T, contiguous. */
export interface ArrayType {
  kind: "array";
  elem: ValueType;
  length: number;
  /** A formatted type's (`Ipv6Addr`): how user space shows it. */
  format?: ValueFormat;
}
/** `Str<N>`: N bytes holding a NUL-terminated string. */
export interface StrType {
  kind: "str";
  length: number;
}
/** `Ptr<T>` / `UserPtr<T>`: an address (64 bits) of a T in another address space. */
export interface PtrType {
  kind: "ptr";
  to: ValueType | KernelStructType | VoidType;
  space: "kernel" | "user";
}
/**
 * A struct or union of the running kernel's (from "tsbpf/kernel"): never a value in a probe, but
 * what a Ptr points to, read a field at a time (`task.real_parent.tgid`) through CO-RE (D131).
 */
export interface KernelStructType {
  kind: "kstruct";
  /** The TypeScript name (the module's: `foo_` where C's `foo` was taken). */
  name: string;
  /** Its type id in the kernel's BTF. */
  btfId: number;
}
/**
 * `V | undefined`: what a map's `get` gives, a value that may be absent. Held as the address of
 * the value or null: a map value itself for aggregates (a reference, as structs are), a copy
 * taken at the lookup for scalars.
 */
export interface OptionalType {
  kind: "optional";
  of: ValueType;
}
export type ScalarType = IntType | BoolType | PtrType;
export type AggregateType = StructType | ArrayType | StrType;
export type ValueType = ScalarType | AggregateType;
export type ProbeType = ValueType | VoidType | OptionalType;

export const isAggregate = (t: ProbeType): t is AggregateType => t.kind === "struct" || t.kind === "array" || t.kind === "str";

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
    case "void":
      return "void";
    case "array":
      return `FixedArray<${typeName(t.elem)}, ${t.length}>`;
    case "ptr":
      return `${t.space === "kernel" ? "Ptr" : "UserPtr"}<${t.to.kind === "kstruct" ? t.to.name : typeName(t.to)}>`;
    case "optional":
      return `${typeName(t.of)} | undefined`;

    default:
      return cTypeName(t);
  }
}

/** Each TypeScript type's probe type, made once: lowering compares aggregates by identity first. */
const probeTypes = new WeakMap<TS.Type, AggregateType>();
/** Structs whose fields are being found: met again by value, they would contain themselves. */
const building = new Set<StructType>();

/**
 * The largest value a probe may describe. Nothing in BPF holds more (the stack has 512 bytes, a
 * per-CPU scratch buffer 32 KiB, a map value a few MiB at most); the bound keeps sizes exact
 * integers, far from where LLVM's and the kernel's 32- and 64-bit sizes overflow.
 */
export const MAX_VALUE_BYTES = 1024 * 1024;

function checkSize(t: AggregateType, at: TS.Node, what: string): void {
  const size = sizeOf(t);
  if (size > MAX_VALUE_BYTES)
    throw errorAt(at, Codes.unsupportedType, `${what} takes ${size} bytes, more than a probe value may (${MAX_VALUE_BYTES} bytes)`, "use fewer or smaller elements; large data belongs in a map, read a piece at a time");
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
  const formatted = alias && formattedType(alias);
  if (formatted) return formatted;
  if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return BOOL;
  if (type.flags & ts.TypeFlags.EnumLiteral && type.symbol && type.symbol.flags & ts.SymbolFlags.Enum) return enumType(p, type, at);
  if (type.flags & (ts.TypeFlags.Number | ts.TypeFlags.NumberLiteral)) return NUMBER;
  if (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) return VOID;
  const known = probeTypes.get(type);
  if (known) return known;
  if (alias === "FixedArray") return arrayType(p, type, at);
  if (alias === "Str") return strType(type, at);
  if (alias === "Ptr" || alias === "UserPtr") return { kind: "ptr", to: pointeeType(p, type.aliasTypeArguments![0], at), space: alias === "Ptr" ? "kernel" : "user" };
  const kernel = kernelStructType(p, type);
  if (kernel) throw kernelStructValue(at, kernel);
  if (type.flags & ts.TypeFlags.Object && !type.getCallSignatures().length && !p.checker.isArrayType(type)) return structType(p, type, at);
  if (type.isUnion() && type.types.some((t) => t.flags & ts.TypeFlags.Undefined)) {
    const present = p.checker.getNonNullableType(type);
    if (present !== type) return { kind: "optional", of: valueType(p, present, at, "a value that may be undefined") };
  }
  throw errorAt(at, Codes.unsupportedType, `the type '${p.checker.typeToString(type)}' cannot be used in probe code`, "use an integer type (u8…u64, i8…i64), boolean, an interface of those, or FixedArray<T, N>");
}

/** What a pointer points to: a value, a kernel struct, or nothing known (C's `void *`). */
function pointeeType(p: CheckedSource, type: TS.Type, at: TS.Node): PtrType["to"] {
  if (type.flags & p.ts.TypeFlags.Void) return VOID;
  return kernelStructType(p, type) ?? valueType(p, type, at, "what a pointer points to");
}

const kernelStructs = new WeakMap<TS.Type, KernelStructType>();

/** The kernel struct or union `type` is, if it is one ("tsbpf/kernel" declares it). */
export function kernelStructType(p: CheckedSource, type: TS.Type): KernelStructType | undefined {
  const known = kernelStructs.get(type);
  if (known) return known;
  const symbol = type.aliasSymbol ? undefined : type.getSymbol();
  const decl = symbol?.declarations?.[0];
  if (!symbol || !decl || !p.kernel || decl.getSourceFile().fileName !== (p.kernel.file ?? KERNEL_DECLARATIONS_FILE)) return undefined;
  const btfId = p.kernel.composites.get(symbol.name);
  if (btfId === undefined || !p.ts.isInterfaceDeclaration(decl)) return undefined; // an enum is an integer
  const t: KernelStructType = { kind: "kstruct", name: symbol.name, btfId };
  kernelStructs.set(type, t);
  return t;
}

function valueType(p: CheckedSource, type: TS.Type, at: TS.Node, what: string): ValueType {
  const t = probeTypeOf(p, type, at);
  if (t.kind === "void") throw errorAt(at, Codes.unsupportedType, `${what} cannot be void`);
  if (t.kind === "optional") throw errorAt(at, Codes.unsupportedType, `${what} cannot be undefined`, "only a map's get() gives a value that may be absent: check it, and store the value");
  return t;
}

function strType(type: TS.Type, at: TS.Node): StrType {
  const n = type.aliasTypeArguments?.[0];
  if (!n || !n.isNumberLiteral() || !Number.isInteger(n.value) || n.value <= 0 || n.value > 4096)
    throw errorAt(at, Codes.unsupportedType, "a Str's size must be an integer literal from 1 to 4096", "e.g. Str<16> for a task name, Str<256> for a path");
  const t: StrType = { kind: "str", length: n.value };
  probeTypes.set(type, t);
  return t;
}

function arrayType(p: CheckedSource, type: TS.Type, at: TS.Node): ArrayType {
  const [elemType, lengthType] = type.aliasTypeArguments ?? [];
  if (!lengthType || !lengthType.isNumberLiteral() || !Number.isInteger(lengthType.value) || lengthType.value <= 0)
    throw errorAt(at, Codes.unsupportedType, "a FixedArray's length must be a positive integer literal", "e.g. FixedArray<u32, 16>");
  if (lengthType.value > MAX_VALUE_BYTES)
    throw errorAt(at, Codes.unsupportedType, `a FixedArray of ${BigInt(lengthType.value)} elements is larger than a probe value may be (${MAX_VALUE_BYTES} bytes)`, "use fewer elements; large data belongs in a map, read a piece at a time");
  const elem = valueType(p, elemType, at, "an array element");
  if (elem.kind === "struct" && building.has(elem)) throw containsItself(at, elem, `a FixedArray of ${elem.name}`);
  const t: ArrayType = { kind: "array", elem, length: lengthType.value };
  checkSize(t, at, `a ${typeName(t)}`);
  probeTypes.set(type, t);
  return t;
}

function containsItself(at: TS.Node, t: StructType, through: string): TsbpfError {
  return errorAt(at, Codes.unsupportedType, `${t.name} would contain itself (through ${through})`, "a struct cannot contain itself, not even through another struct or an array: remove the cycle");
}

/** A struct of the type's properties, in declaration order; the contract lays it out. */
function structType(p: CheckedSource, type: TS.Type, at: TS.Node): StructType {
  const name = (type.aliasSymbol ?? type.getSymbol())?.name ?? "anonymous";
  const t: StructType = { kind: "struct", name: name === "__type" || name === "__object" ? "anonymous" : name, fields: [] };
  // Known before its fields are: a field of this type (directly or through another struct or an
  // array) is then found in `building` and refused, where looking it up anew would recurse forever.
  probeTypes.set(type, t);
  building.add(t);
  try {
    for (const prop of p.checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (prop.flags & p.ts.SymbolFlags.Optional)
        throw errorAt(decl ?? at, Codes.unsupportedType, `field '${prop.name}' of ${t.name} is optional`, "a struct field always exists in memory: remove the `?`");
      const ft = valueType(p, p.checker.getTypeOfSymbolAtLocation(prop, decl ?? at), decl ?? at, `field '${prop.name}'`);
      if (ft.kind === "struct" && building.has(ft)) throw containsItself(decl ?? at, ft, `field '${prop.name}' of ${t.name}`);
      t.fields.push({ name: prop.name, type: ft });
    }
    if (!t.fields.length) throw errorAt(at, Codes.unsupportedType, `the type '${p.checker.typeToString(type)}' has no fields to lay out`);
  } catch (e) {
    probeTypes.delete(type); // half made: never handed out again
    throw e;
  } finally {
    building.delete(t);
  }
  checkSize(t, at, t.name === "anonymous" ? "this struct" : t.name);
  return t;
}

const enums = new WeakMap<TS.Type, IntType>();

/** A `const enum` is C's enum: an int, or the smallest integer that holds its members if not. */
function enumType(p: CheckedSource, type: TS.Type, at: TS.Node): IntType {
  const known = enums.get(type);
  if (known) return known;
  const members: { name: string; value: bigint }[] = [];
  for (const decl of type.symbol.declarations ?? []) {
    if (!p.ts.isEnumDeclaration(decl)) continue;
    for (const m of decl.members) {
      const value = p.checker.getConstantValue(m);
      if (typeof value !== "number" || !Number.isInteger(value))
        throw errorAt(m, Codes.unsupportedType, `enum member '${m.name.getText()}' is not an integer`, "an enum in probe code is C's: give each member an integer value");
      members.push({ name: m.name.getText(), value: BigInt(value) });
    }
  }
  const fits = (t: IntType) => {
    const [min, max] = intRange(t);
    return members.every(({ value }) => value >= min && value <= max);
  };
  const base = [INT_TYPES.i32, INT_TYPES.u32, INT_TYPES.i64, INT_TYPES.u64].find(fits);
  if (!base) throw errorAt(at, Codes.unsupportedType, `the members of ${type.symbol.name} do not fit one 64-bit integer`);
  // The manifest carries the members too (as text: JSON has no bigint): the runtime decodes a value by its name.
  const enumerators = members.map((m) => ({ name: m.name, value: String(m.value) }));
  const t: IntType = { ...base, name: type.symbol.name, members, enumerators };
  enums.set(type, t);
  return t;
}

/** The error for a kernel struct where a value is needed. */
export function kernelStructValue(at: TS.Node, t: KernelStructType): TsbpfError {
  return errorAt(at, Codes.kernelStructUse, `a kernel ${t.name} is read a field at a time, not as a whole value`, "read the fields you need through the pointer: task.real_parent.tgid, file.f_path.dentry");
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
