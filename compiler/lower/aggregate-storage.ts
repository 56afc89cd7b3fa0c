// Structs and fixed arrays: storage on the BPF stack, field and element addresses, literals
// written in place, and copies. An aggregate travels as a pointer to its storage (JavaScript's
// reference semantics); storing one into a field or element of another copies its bytes, since
// the field is embedded (C's layout).

import type * as TS from "typescript";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { alignOf, alignUp, intRange, sizeOf, structLayout } from "../../contract/c-layout.js";
import { INT_TYPES, isAggregate, typeName, type AggregateType, type ArrayType, type StrType, type StructType, type ValueType, type OptionalType } from "../frontend/probe-types.js";
import { constInt, isConstInt, type Value } from "../ir/ir-module.js";
import { arrayOf, i1, i64, i8, ptrTo } from "../ir/ir-types.js";
import { convert, ConversionError, irTypeOf, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";
import { toOptional } from "./optional.js";

/**
 * The BPF stack: 512 bytes for a program and the functions it calls, together (the verifier adds
 * up the frames of a call chain, and LLVM refuses a frame over 512).
 */
export const STACK_LIMIT = 512;

/**
 * How much of it tsbpf hands out for storage it places (aggregates, printk's arguments), over a
 * whole call chain. The rest is LLVM's: the registers it spills, the scalar slots helpers write,
 * and the verifier rounds each frame of a chain up to 32 bytes.
 */
export const STACK_BUDGET = 384;

/** An addressable place: a field, an element, a local aggregate. */
export interface Place {
  ptr: Value; // typed as a pointer to irTypeOf(type) for scalars, to i8 for aggregates
  type: ValueType;
}

/**
 * Fresh zeroed storage for a value of `type`: on the stack while the function's budget allows;
 * past that, in a program's per-CPU scratch buffer (scratch.ts); in a module function, an error.
 */
export function allocate(l: ExpressionLowerer, type: AggregateType, at: TS.Node): Value {
  const size = sizeOf(type);
  const ptr = storage(l, size, at, `this ${typeName(type)}`);
  // Zeroed, so that padding never leaks stack garbage (and the verifier never sees it uninitialised).
  l.b.memset(ptr, 0, size, STORAGE_ALIGN);
  return ptr;
}

/** Storage is 8-aligned, so that the backend zeroes and copies it a word at a time. */
export const STORAGE_ALIGN = 8;

/**
 * `size` bytes whose address is taken (so they stay in memory), counted against the stack
 * budget: on the stack while the function and the functions it calls stay within it; past
 * that, in a program's scratch buffer; in a module function, an error naming `what`.
 */
export function storage(l: ExpressionLowerer, size: number, at: TS.Node, what: string): Value {
  const bytes = alignUp(size, STORAGE_ALIGN);
  const chain = l.stackBytes + bytes + l.calleeStack;
  if (chain <= STACK_BUDGET) {
    l.stackBytes += bytes;
    return l.b.cast("bitcast", l.fn.alloca(arrayOf(bytes, i8), STORAGE_ALIGN), ptrTo(i8));
  }
  if (l.scratch) {
    const { base, offset } = l.scratch(bytes, STORAGE_ALIGN, at, what);
    return l.b.byteOffset(base, offset, i8);
  }
  const callees = l.calleeStack ? `, with the ${l.calleeStack} bytes of the functions it calls,` : "";
  throw errorAt(
    at,
    Codes.stackOverflow,
    `${what} (${size} bytes) takes ${l.name}'s stack${callees} to ${chain} bytes, over the ${STACK_BUDGET} that tsbpf gives a call chain (BPF's limit is ${STACK_LIMIT}; the rest holds LLVM's own slots)`,
    "in a function, use smaller values or fewer at once; a program's handler moves large values to a per-CPU scratch buffer by itself",
  );
}

export function fieldPlace(l: ExpressionLowerer, base: Operand, name: string, at: TS.Node): Place {
  const st = base.type as StructType;
  const i = st.fields.findIndex((x) => x.name === name);
  if (i < 0) throw errorAt(at, Codes.unsupportedSyntax, `${st.name} has no field '${name}'`);
  const f = st.fields[i];
  return { ptr: l.b.byteOffset(base.value, structLayout(st).offsets[i], isAggregate(f.type) ? i8 : irTypeOf(f.type)), type: f.type };
}

/** The value stored at a place: scalars are loaded, aggregates are referred to. */
export function read(l: ExpressionLowerer, p: Place): Operand {
  if (isAggregate(p.type)) return { value: p.ptr, type: p.type };
  return { value: l.b.load(p.ptr), type: p.type };
}

/** Stores `v` at a place: converted for scalars, copied for aggregates. */
export function write(l: ExpressionLowerer, p: Place, v: Operand, at: TS.Node): Operand {
  const converted = convertAt(l, v, p.type, at);
  if (isAggregate(p.type)) l.b.memcpy(p.ptr, converted.value, sizeOf(p.type), Math.min(STORAGE_ALIGN, alignOf(p.type)));
  else l.b.store(converted.value, p.ptr);
  return converted;
}

/**
 * `v` converted implicitly to `to` (a declaration, an argument, an assignment, a return). A
 * constant that does not fit is refused at `at`: only a cast (`u8(300)`) truncates on purpose.
 */
export function convertAt(l: ExpressionLowerer, v: Operand, to: ValueType | OptionalType, at: TS.Node): Operand {
  if (to.kind === "optional") return toOptional(l, v, to);
  if (to.kind === "int" && v.type.kind === "int" && isConstInt(v.value)) {
    const raw = BigInt(v.value.ref);
    const value = v.type.signed ? raw : BigInt.asUintN(v.type.bits, raw);
    const [min, max] = intRange(to);
    if (value < min || value > max)
      throw errorAt(at, Codes.constantDoesNotFit, `${value} does not fit in ${to.name} (${min} to ${max})`, `write ${to.name}(${value}) if the truncation to ${to.signed ? BigInt.asIntN(to.bits, value) : BigInt.asUintN(to.bits, value)} is meant`);
  }
  try {
    return convert(l.b, v, to);
  } catch (e) {
    if (e instanceof ConversionError) throw errorAt(at, Codes.unsupportedType, `a ${typeName(e.from)} cannot be used as a ${typeName(e.to)}`, "the two types must have the same fields, in the same order");
    throw e;
  }
}

/**
 * Lowers `e` straight into the storage at `ptr` when it is a literal (no temporary, no copy);
 * otherwise evaluates it and stores the result.
 */
export function initInto(l: ExpressionLowerer, p: Place, e: TS.Expression): void {
  const ts = l.p.ts;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
  if (p.type.kind === "struct" && ts.isObjectLiteralExpression(e)) return structLiteral(l, p.ptr, p.type, e);
  if (p.type.kind === "str" && !ts.isStringLiteralLike(e)) {
    write(l, p, l.expression(e), e);
    return;
  }
  if (p.type.kind === "array" && ts.isArrayLiteralExpression(e)) return arrayLiteral(l, p.ptr, p.type, e);
  if (p.type.kind === "str" && ts.isStringLiteralLike(e)) return strLiteral(l, p.ptr, p.type, e);
  write(l, p, l.expression(e), e);
}

function structLiteral(l: ExpressionLowerer, ptr: Value, type: StructType, e: TS.ObjectLiteralExpression): void {
  const ts = l.p.ts;
  for (const prop of e.properties) {
    if (!ts.isPropertyAssignment(prop) && !ts.isShorthandPropertyAssignment(prop)) l.notChecked(prop, "an object-literal member that is not a field");
    const name = prop.name.getText();
    const place = fieldPlace(l, { value: ptr, type }, name, prop.name);
    if (ts.isPropertyAssignment(prop)) initInto(l, place, prop.initializer);
    else write(l, place, l.expression(prop.name), prop.name);
  }
}

function strLiteral(l: ExpressionLowerer, ptr: Value, type: StrType, e: TS.StringLiteralLike): void {
  const bytes = Buffer.from(e.text, "utf8").subarray(0, type.length - 1);
  if (!bytes.length) return; // the storage is zeroed already
  const s = l.module.addCString(l.module.uniqueName(`${l.name}.str`), bytes.toString("latin1"), { latin1: true });
  l.b.memcpy(ptr, s.ptr, bytes.length); // the NUL (and the rest) is the zeroed storage
}

function arrayLiteral(l: ExpressionLowerer, ptr: Value, type: ArrayType, e: TS.ArrayLiteralExpression): void {
  const ts = l.p.ts;
  if (e.elements.length > type.length)
    throw errorAt(e.elements[type.length], Codes.unsupportedType, `${e.elements.length} elements do not fit in a ${typeName(type)}`, "the rest of a FixedArray is zero; give at most its length");
  e.elements.forEach((x, i) => {
    if (ts.isSpreadElement(x) || ts.isOmittedExpression(x)) l.notChecked(x, "a spread or a hole in an array literal");
    const elemPtr = l.b.byteOffset(ptr, i * sizeOf(type.elem), isAggregate(type.elem) ? i8 : irTypeOf(type.elem));
    initInto(l, { ptr: elemPtr, type: type.elem }, x);
  });
}

/** A fresh value of an aggregate type from a literal: `{ a: 1 }`, `[1, 2]`. */
export function literalValue(l: ExpressionLowerer, type: AggregateType, e: TS.Expression): Operand {
  const ptr = allocate(l, type, e);
  initInto(l, { ptr, type }, e);
  return { value: ptr, type };
}

/**
 * `xs[i]`. A constant index is checked now; a variable one at run time, where the access
 * happens only when it is in range (the verifier insists): reads out of range give 0 (or a zeroed
 * aggregate), writes out of range do nothing.
 */
export function withElement<T>(
  l: ExpressionLowerer,
  array: Operand,
  indexExpr: TS.Expression,
  use: (p: Place) => T,
  outOfRange: () => T,
  merge: (inRange: T, inBlock: unknown, otherwise: T, otherBlock: unknown) => T,
): T {
  const type = array.type as ArrayType;
  const elemIR = isAggregate(type.elem) ? i8 : irTypeOf(type.elem);
  const idx = convert(l.b, l.expression(indexExpr), INT_TYPES.u64).value;
  const stride = sizeOf(type.elem);
  if (isConstInt(idx)) {
    const i = BigInt.asUintN(64, BigInt(idx.ref));
    if (i >= BigInt(type.length)) throw errorAt(indexExpr, Codes.indexOutOfRange, `index ${i} is out of range for a ${typeName(type)}`, `valid indices are 0 to ${type.length - 1}`);
    return use({ ptr: l.b.byteOffset(array.value, Number(i) * stride, elemIR), type: type.elem });
  }
  // LLVM drops a check it can prove (e.g. after `% N`), but the verifier cannot follow that
  // proof: hide the index's value from LLVM so that the compare the verifier needs stays.
  const hidden = l.b.inlineAsm(i64, "", "=r,0", [idx]);
  const ok = l.b.icmp("ult", hidden, constInt(i64, type.length));
  const inRange = l.fn.newBlock("index.ok");
  const out = l.fn.newBlock("index.out");
  const end = l.fn.newBlock("index.end");
  l.b.condBr(ok, inRange, out);
  l.b.positionAt(inRange);
  const offset = l.b.binary("mul", hidden, constInt(i64, stride));
  const a = use({ ptr: l.b.byteOffset(array.value, offset, elemIR), type: type.elem });
  const aBlock = l.b.block;
  l.b.br(end);
  l.b.positionAt(out);
  const b = outOfRange();
  const bBlock = l.b.block;
  l.b.br(end);
  l.b.positionAt(end);
  return merge(a, aBlock, b, bBlock);
}

/** The zero of a type: for reads out of range. */
export function zeroOf(l: ExpressionLowerer, type: ValueType, at: TS.Node): Operand {
  if (isAggregate(type)) return { value: allocate(l, type, at), type };
  return { value: constInt(type.kind === "bool" ? i1 : irTypeOf(type), 0), type };
}
