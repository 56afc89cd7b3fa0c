// The bpf_map_* helper calls every map kind's methods are made of. Keys and values are passed
// by address (the helpers copy them), so scalars get a stack slot first.

import type * as TS from "typescript";
import { isAggregate, type ValueType } from "../frontend/probe-types.js";
import { constInt, nullPointer, type Block, type Value } from "../ir/ir-module.js";
import { arrayOf, i32, i64, i8, ptrTo } from "../ir/ir-types.js";
import { sizeOf } from "../../contract/c-layout.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { irTypeOf, NO_VALUE, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, deleteElem, lookupElem, updateElem } from "./map-calls.js";
import { optionalAt, optionalPair } from "../lower/optional.js";
import type { MapMethod, MapRef, MapShape } from "./map-kind.js";
import { BOOL, INT_TYPES, probeTypeOf, typeName } from "../frontend/probe-types.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";

/**
 * The address of `v` (a value of `type`) for a helper that copies it: an aggregate's storage, or
 * a scalar in a stack slot of the function's own for this role. The helper has copied it when it
 * returns, so one slot per role serves every call (a slot per call would run out of stack in a
 * handler that looks up many entries); operands are evaluated before any is stored.
 */
export function addressOf(l: ExpressionLowerer, v: Operand, type: ValueType, role: "key" | "value"): Value {
  if (isAggregate(type)) return v.value;
  const slot = l.fn.slotFor(`map.${role}.${irTypeText(l, type)}`, irTypeOf(type));
  l.b.store(v.value, slot);
  return l.b.cast("bitcast", slot, ptrTo(i8));
}

const irTypeText = (l: ExpressionLowerer, t: ValueType): string => l.module.ty(irTypeOf(t));

/**
 * `V | undefined` for the entry at `key`: the entry itself for an aggregate value (writes to it
 * change the map, as in C), for a scalar the value read now and whether it was there (optional.ts).
 */
export function lookup(l: ExpressionLowerer, map: MapRef, key: TS.Expression): Operand {
  const entry = lookupEntry(l, map, convertAt(l, l.expression(key), map.key, key));
  if (isAggregate(map.value)) return optionalAt(entry, map.value);
  const found = l.fn.newBlock("map.found");
  const after = l.fn.newBlock("map.after");
  const there = l.b.icmp("ne", entry, nullPointer);
  const before = l.b.block;
  l.b.condBr(there, found, after);
  l.b.positionAt(found);
  const read = l.b.load(l.b.cast("bitcast", entry, ptrTo(irTypeOf(map.value))));
  l.b.br(after);
  l.b.positionAt(after);
  const value = l.b.phi(irTypeOf(map.value), [
    [constZero(map.value), before],
    [read, found],
  ]);
  return optionalPair(l, there, value, map.value);
}

const constZero = (t: ValueType): Value => ({ type: irTypeOf(t), ref: t.kind === "bool" ? "false" : "0" });

/** Sets the entry at `key` to `value` (bpf_map_update_elem with `flags`); whether it did. */
export function update(l: ExpressionLowerer, map: MapRef, key: TS.Expression, value: TS.Expression, flags: number): Value {
  const keyValue = convertAt(l, l.expression(key), map.key, key);
  const valueValue = convertAt(l, l.expression(value), map.value, value);
  const k = addressOf(l, keyValue, map.key, "key");
  const v = addressOf(l, valueValue, map.value, "value");
  return updateElem(l.b, map.ref, k, v, flags);
}

/** BPF_ANY, BPF_NOEXIST, BPF_EXIST by stdlib's SetMode. */
const SET_MODES: Record<string, number> = { any: BPF_ANY, noexist: BPF_NOEXIST, exist: BPF_EXIST };

/**
 * `map.set(key, value, mode?)`: create or replace (or only one of them); whether it stored
 * (false past an array's end, in a full hash, or where the mode said no).
 */
export const setMethod: MapMethod = (l, map, call) => {
  const [key, value, modeArg] = call.arguments;
  let flags = BPF_ANY;
  if (modeArg) {
    const type = l.p.checker.getTypeAtLocation(modeArg);
    const mode = type.isStringLiteral() ? SET_MODES[type.value] : undefined;
    if (mode === undefined) throw errorAt(modeArg, Codes.unsupportedType, "a map's set mode must be a constant", 'write it out: "any", "noexist" or "exist"');
    flags = mode;
  }
  const result = update(l, map, key, value, flags);
  return { value: l.b.icmp("eq", result, constInt(i64, 0)), type: BOOL };
};

/** `map.get(key)`: `V | undefined`. */
export const getMethod: MapMethod = (l, map, call) => lookup(l, map, call.arguments[0]);

/** `map.has(key)`: whether the entry exists (a lookup whose value is not read). */
export const hasMethod: MapMethod = (l, map, call) => {
  const entry = lookupEntry(l, map, convertAt(l, l.expression(call.arguments[0]), map.key, call.arguments[0]));
  return { value: l.b.icmp("ne", entry, nullPointer), type: BOOL };
};

/** `map.delete(key)`: whether there was an entry to delete. */
export const deleteMethod: MapMethod = (l, map, call) => {
  const k = convertAt(l, l.expression(call.arguments[0]), map.key, call.arguments[0]);
  const result = deleteElem(l.b, map.ref, addressOf(l, k, map.key, "key"));
  return { value: l.b.icmp("eq", result, constInt(i64, 0)), type: BOOL };
};

/** A map's key or value type from its type argument: a value type, not void or `V | undefined`. */
export function valueTypeOf(p: CheckedSource, type: TS.Type, at: TS.Node, what: string, example: string): ValueType {
  const t = probeTypeOf(p, type, at);
  if (t.kind === "void" || t.kind === "optional") throw errorAt(at, Codes.unsupportedType, `${what} need a type that is stored in memory, not ${typeName(t)}`, `e.g. ${example}`);
  return t;
}

/**
 * `map.add(key, delta)`: adds `delta` to an integer value in one atomic instruction, so that
 * CPUs counting at once lose nothing (a get and a set could). Where there is no entry, a map
 * whose entries come and go (`createMissing`) creates it holding `delta`; if another CPU created
 * it first, the add goes to that one.
 */
export function addMethod(createMissing: boolean): MapMethod {
  return (l, map, call) => {
    const [keyArg, deltaArg] = call.arguments;
    const value = map.value;
    if (value.kind !== "int" || value.bits < 32)
      throw errorAt(call.expression, Codes.unsupportedType, `add() works on maps of 32- and 64-bit integers, not of ${typeName(value)}`, "BPF's atomic add is 32 or 64 bits wide: declare the values as u32, u64, i32 or i64, or use get() and set()");
    atomicAdd(l, map, convertAt(l, l.expression(keyArg), map.key, keyArg), convertAt(l, l.expression(deltaArg), value, deltaArg), createMissing);
    return NO_VALUE;
  };
}

/** Adds `delta` to the integer value at key `k` atomically (see addMethod); both already of the map's types. */
export function atomicAdd(l: ExpressionLowerer, map: MapRef, k: Operand, delta: Operand, createMissing: boolean): void {
  atomicAddFields(l, map, k, [{ offset: 0, delta: delta.value }], createMissing);
}

/**
 * Adds each `delta` to the integer at its byte `offset` in the value at key `k`, each in one
 * atomic instruction (a value of several counters: Avg's count and total). Where there is no
 * entry, a map whose entries come and go (`createMissing`) creates it holding the deltas (the
 * rest zero); if another CPU created it first, the adds go to that one.
 */
export function atomicAddFields(l: ExpressionLowerer, map: MapRef, k: Operand, adds: readonly { offset: number; delta: Value }[], createMissing: boolean): void {
  const apply = l.fn.newBlock("map.add");
  const done = l.fn.newBlock("map.add.done");
  const at = (entry: Value, add: (typeof adds)[number]) => l.b.byteOffset(entry, add.offset, add.delta.type);
  // A created entry holds the deltas already.
  const fill = (slot: Value) => adds.forEach((add) => l.b.store(add.delta, at(slot, add)));
  const entry = createMissing ? findOrCreate(l, map, k, fill, done) : lookupEntry(l, map, k);
  l.b.condBr(l.b.icmp("eq", entry, nullPointer), done, apply);
  l.b.positionAt(apply);
  for (const add of adds) l.b.atomicAdd(at(entry, add), add.delta);
  l.b.br(done);
  l.b.positionAt(done);
}

/** The address of the entry at `k` (already of the map's key type), or null. */
export function lookupEntry(l: ExpressionLowerer, map: MapRef, k: Operand): Value {
  return lookupElem(l.b, map.ref, addressOf(l, k, map.key, "key"));
}

/**
 * The entry at `k`, or, where there is none, a new one whose value `fill` writes: then the code
 * goes on at `created`. Otherwise the address of the entry: the one found, or the one another
 * CPU created meanwhile (null if the map is full).
 */
export function findOrCreate(l: ExpressionLowerer, map: MapRef, k: Operand, fill: (slot: Value) => void, created: Block): Value {
  const first = lookupEntry(l, map, k);
  const firstBlock = l.b.block;
  const missing = l.fn.newBlock("map.create");
  const raced = l.fn.newBlock("map.raced");
  const found = l.fn.newBlock("map.found");
  l.b.condBr(l.b.icmp("eq", first, nullPointer), missing, found);
  l.b.positionAt(missing);
  l.b.condBr(l.b.icmp("eq", createEntry(l, map, k, fill), constInt(i64, 0)), created, raced);
  l.b.positionAt(raced);
  const second = lookupEntry(l, map, k);
  const racedEnd = l.b.block;
  l.b.br(found);
  l.b.positionAt(found);
  return l.b.phi(ptrTo(i8), [
    [first, firstBlock],
    [second, racedEnd],
  ]);
}

/**
 * Creates the entry at `k` only if there is none (BPF_NOEXIST), its value written by `fill` into
 * a zeroed slot of the value's size; the helper's result (0: created).
 */
function createEntry(l: ExpressionLowerer, map: MapRef, k: Operand, fill: (slot: Value) => void): Value {
  const size = sizeOf(map.value);
  const slot = l.b.cast("bitcast", l.fn.slotFor(`map.new.${size}`, arrayOf(size, i8)), ptrTo(i8));
  l.b.memset(slot, 0, size, 8);
  fill(slot);
  return updateElem(l.b, map.ref, addressOf(l, k, map.key, "key"), slot, BPF_NOEXIST);
}

/** An aggregation's key type from its optional type argument (`Count<K>`); undefined when keyless (`Count`). */
function aggregationKey(p: CheckedSource, keyType: TS.Type | undefined, at: TS.Node, name: string): ValueType | undefined {
  if (!keyType || keyType.flags & p.ts.TypeFlags.Void) return undefined;
  return valueTypeOf(p, keyType, at, `a ${name}'s keys`, `new ${name}<u32>()`);
}

/**
 * An aggregation's shape from its optional key type argument: keyed, `value`s by K in the kind's
 * map (a per-CPU hash); keyless, one entry at index 0 (`keyless` may say which map type, and
 * more entries: a histogram's buckets).
 */
export function aggregationShape(p: CheckedSource, keyType: TS.Type | undefined, at: TS.Node, name: string, value: ValueType, keyless: { mapType?: number; entries?: number } = {}): MapShape {
  const key = aggregationKey(p, keyType, at, name);
  return key ? { key, value } : { key: INT_TYPES.u32, value, entries: 1, keyless: true, ...keyless };
}

/** The key of an aggregation's call: its key argument, or index 0 of a keyless one's single entry. */
export function aggregationKeyOperand(l: ExpressionLowerer, map: MapRef, keyArg: TS.Expression | undefined): Operand {
  return keyArg ? convertAt(l, l.expression(keyArg), map.key, keyArg) : { value: constInt(i32, 0), type: INT_TYPES.u32 };
}

/** `record(key, value)` or, keyless, `record(value)`: the key argument (if any) and the value. */
export function keyAndValue(call: TS.CallExpression): [key: TS.Expression | undefined, value: TS.Expression] {
  const [first, second] = call.arguments;
  return second ? [first, second] : [undefined, first];
}

/**
 * An aggregation's recorded integer as 64 bits: sign-extended from a signed type (as bpftrace
 * promotes it), zero-extended from an unsigned one, and which of the two it is.
 */
export function recordedValue(l: ExpressionLowerer, e: TS.Expression): { value: Value; signed: boolean } {
  const v = l.expression(e);
  const signed = v.type.kind === "int" && v.type.signed;
  return { value: convertAt(l, v, signed ? INT_TYPES.i64 : INT_TYPES.u64, e).value, signed };
}
