// The bpf_map_* helper calls every map kind's methods are made of. Keys and values are passed
// by address (the helpers copy them), so scalars get a stack slot first.

import type * as TS from "typescript";
import { isAggregate, type ValueType } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i64, i8, ptrTo } from "../ir/ir-types.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { irTypeOf, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { Helper } from "../lower/helper-ids.js";
import { optionalAt } from "../lower/optional.js";
import type { MapRef } from "./map-kind.js";

/** BPF_ANY: create the entry or replace it (include/uapi/linux/bpf.h). */
export const BPF_ANY = 0;

/** The address of `e` converted to `type`: an aggregate's storage, or a scalar's stack slot. */
function addressOf(l: ExpressionLowerer, e: TS.Expression, type: ValueType): Value {
  const v = convertAt(l, l.expression(e), type, e);
  if (isAggregate(type)) return v.value;
  const slot = l.fn.alloca(irTypeOf(type), 8);
  l.b.store(v.value, slot);
  return l.b.cast("bitcast", slot, ptrTo(i8));
}

const mapArg = (l: ExpressionLowerer, map: MapRef): Value => l.b.cast("bitcast", map.ref, ptrTo(i8));

/**
 * `V | undefined` for the entry at `key`: the entry itself for an aggregate value (writes to it
 * change the map, as in C), a copy taken now for a scalar (as JavaScript would read it).
 */
export function lookup(l: ExpressionLowerer, map: MapRef, key: TS.Expression): Operand {
  const entry = l.b.callHelper(Helper.mapLookupElem, ptrTo(i8), [mapArg(l, map), addressOf(l, key, map.key)]);
  if (isAggregate(map.value)) return optionalAt(entry, map.value);
  const copy = l.fn.alloca(irTypeOf(map.value), 8);
  const found = l.fn.newBlock("map.found");
  const after = l.fn.newBlock("map.after");
  const absent = l.b.icmp("eq", entry, { type: ptrTo(i8), ref: "null" });
  const before = l.b.block;
  l.b.condBr(absent, after, found);
  l.b.positionAt(found);
  l.b.store(l.b.load(l.b.cast("bitcast", entry, ptrTo(irTypeOf(map.value)))), copy);
  l.b.br(after);
  l.b.positionAt(after);
  const result = l.b.phi(ptrTo(i8), [
    [{ type: ptrTo(i8), ref: "null" }, before],
    [l.b.cast("bitcast", copy, ptrTo(i8)), found],
  ]);
  return optionalAt(result, map.value);
}

/** Sets the entry at `key` to `value` (bpf_map_update_elem with `flags`); whether it did. */
export function update(l: ExpressionLowerer, map: MapRef, key: TS.Expression, value: TS.Expression, flags: number): Value {
  const k = addressOf(l, key, map.key);
  const v = addressOf(l, value, map.value);
  return l.b.callHelper(Helper.mapUpdateElem, i64, [mapArg(l, map), k, v, constInt(i64, flags)]);
}
