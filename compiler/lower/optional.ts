// `V | undefined` values (a map's get; see OptionalType). An aggregate one is the address of
// the value or null (the map entry itself: writes to it change the map). A scalar one is a pair
// in registers, { i1 present, V value }: a copy read at the lookup, as JavaScript would read it,
// that takes no stack (the stack has 512 bytes, and a handler may look up many entries).
// TypeScript's narrowing says where one is known to be present; there its value is used.
// Compared with undefined, defaulted with `??`, and nothing else: a use that could be absent is
// a type error in the editor before it reaches here.

import type * as TS from "typescript";
import { BOOL, isAggregate, VOID, type OptionalType, type ValueType } from "../frontend/probe-types.js";
import { constInt, nullPointer as NULL, type Block, type Value } from "../ir/ir-module.js";
import { i1 } from "../ir/ir-types.js";
import { irTypeOf, type Operand } from "./arith.js";
import { convertAt } from "./aggregate-storage.js";
import type { ExpressionLowerer } from "./expressions.js";

/** `undefined` itself: void until it meets the optional type it is assigned to (toOptional). */
export const ABSENT: Operand = { value: NULL, type: VOID };

type Optional = Operand & { type: OptionalType };

const optionalOf = (of: ValueType): OptionalType => ({ kind: "optional", of });

/** An aggregate optional: the value at `ptr`, or absent where `ptr` is null. */
export const optionalAt = (ptr: Value, of: ValueType): Operand => ({ value: ptr, type: optionalOf(of) });

/** A scalar optional: `value` if `isPresent`, else absent. */
export function optionalPair(l: ExpressionLowerer, isPresent: Value, value: Value, of: ValueType): Operand {
  const type = optionalOf(of);
  const pair = l.b.insertValue(l.b.insertValue({ type: irTypeOf(type), ref: "undef" }, isPresent, 0), value, 1);
  return { value: pair, type };
}

/** Whether the optional holds a value (an i1). */
function isPresent(l: ExpressionLowerer, v: Optional): Value {
  return isAggregate(v.type.of) ? l.b.icmp("ne", v.value, NULL) : l.b.extractValue(v.value, 0);
}

/** The value an optional holds, where it is known to be present: its storage for an aggregate, the value for a scalar. */
export function present(l: ExpressionLowerer, v: Optional): Operand {
  const of = v.type.of;
  return { value: isAggregate(of) ? v.value : l.b.extractValue(v.value, 1), type: of };
}

/** `v` where an optional of `to` is expected: itself, absent (`undefined`), or a present value. */
export function toOptional(l: ExpressionLowerer, v: Operand, to: OptionalType): Operand {
  if (v.type.kind === "optional") return v;
  const aggregate = isAggregate(to.of);
  if (v.type.kind === "void") return aggregate ? optionalAt(NULL, to.of) : { value: { type: irTypeOf(to), ref: "zeroinitializer" }, type: optionalOf(to.of) };
  if (aggregate) return optionalAt(v.value, to.of);
  return optionalPair(l, constInt(i1, 1), v.value, to.of);
}

/** Whether `e` is `undefined` (or `null`, which TypeScript lets `==` compare the same way). */
export function isUndefined(l: ExpressionLowerer, e: TS.Expression): boolean {
  const ts = l.p.ts;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (e.kind === ts.SyntaxKind.NullKeyword) return true;
  // The global `undefined` has no declaration; a local of that name would.
  return ts.isIdentifier(e) && e.text === "undefined" && !l.p.symbolAt(e)?.declarations?.length;
}

/** `v === undefined` (`absent`) or `v !== undefined`. */
export function compareWithUndefined(l: ExpressionLowerer, v: Optional, absent: boolean): Operand {
  const there = isPresent(l, v);
  return { value: absent ? l.b.binary("xor", there, constInt(i1, 1)) : there, type: BOOL };
}

/** `v ?? fallback`: the value if present, else the fallback converted to its type. */
export function orElse(l: ExpressionLowerer, v: Optional, fallback: TS.Expression): Operand {
  const fn = l.fn;
  const has = fn.newBlock("opt.present");
  const lacks = fn.newBlock("opt.absent");
  const join = fn.newBlock("opt.end");
  l.b.condBr(isPresent(l, v), has, lacks);
  l.b.positionAt(has);
  const a = present(l, v);
  const aEnd: Block = l.b.block;
  l.b.br(join);
  l.b.positionAt(lacks);
  const b = convertAt(l, l.expression(fallback), v.type.of, fallback);
  const bEnd: Block = l.b.block;
  l.b.br(join);
  l.b.positionAt(join);
  return { value: l.b.phi(irTypeOf(v.type.of), [[a.value, aEnd], [b.value, bEnd]]), type: v.type.of };
}
