// `V | undefined` values (a map's get): the address of the value, or null when absent (see
// OptionalType). TypeScript's narrowing says where one is known to be present; there it is
// read through. Compared with undefined, defaulted with `??`, and nothing else: a use that
// could be absent is a type error in the editor before it reaches here.

import type * as TS from "typescript";
import { BOOL, isAggregate, VOID, type OptionalType, type ValueType } from "../frontend/probe-types.js";
import type { Value } from "../ir/ir-module.js";
import { i8, ptrTo } from "../ir/ir-types.js";
import { irTypeOf, type Operand } from "./arith.js";
import { convertAt } from "./aggregate-storage.js";
import type { ExpressionLowerer } from "./expressions.js";

const NULL: Value = { type: ptrTo(i8), ref: "null" };

/** `undefined` itself: void until it meets the optional type it is assigned to (toOptional). */
export const ABSENT: Operand = { value: NULL, type: VOID };

/** An optional pointing at `ptr` (a map value, or a copy of it), or null. */
export const optionalAt = (ptr: Value, of: ValueType): Operand => ({ value: ptr, type: { kind: "optional", of } });

/** The value an optional holds, where it is known to be present: its storage for an aggregate, a load for a scalar. */
export function present(l: ExpressionLowerer, v: Operand & { type: OptionalType }): Operand {
  const of = v.type.of;
  if (isAggregate(of)) return { value: v.value, type: of };
  return { value: l.b.load(l.b.cast("bitcast", v.value, ptrTo(irTypeOf(of)))), type: of };
}

/** `v` where an optional of `to` is expected: itself, absent (`undefined`), or a present value. */
export function toOptional(l: ExpressionLowerer, v: Operand, to: OptionalType): Operand {
  if (v.type.kind === "optional") return v;
  if (v.type.kind === "void") return optionalAt(NULL, to.of);
  if (isAggregate(v.type)) return optionalAt(v.value, to.of);
  const slot = l.fn.alloca(irTypeOf(v.type), 8);
  l.b.store(v.value, slot);
  return optionalAt(l.b.cast("bitcast", slot, ptrTo(i8)), to.of);
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
export function compareWithUndefined(l: ExpressionLowerer, v: Operand, absent: boolean): Operand {
  return { value: l.b.icmp(absent ? "eq" : "ne", v.value, NULL), type: BOOL };
}

/** `v ?? fallback`: the value if present, else the fallback converted to its type. */
export function orElse(l: ExpressionLowerer, v: Operand & { type: OptionalType }, fallback: TS.Expression): Operand {
  const fn = l.fn;
  const has = fn.newBlock("opt.present");
  const lacks = fn.newBlock("opt.absent");
  const join = fn.newBlock("opt.end");
  l.b.condBr(l.b.icmp("ne", v.value, NULL), has, lacks);
  l.b.positionAt(has);
  const a = present(l, v);
  const aEnd = l.b.block;
  l.b.br(join);
  l.b.positionAt(lacks);
  const b = convertAt(l, l.expression(fallback), v.type.of, fallback);
  const bEnd = l.b.block;
  l.b.br(join);
  l.b.positionAt(join);
  return { value: l.b.phi(irTypeOf(v.type.of), [[a.value, aEnd], [b.value, bEnd]]), type: v.type.of };
}
