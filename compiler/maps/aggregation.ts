// bpftrace's count() and sum() as map kinds: `new Count()` counts events (`@ = count()`),
// `new Count<K>()` counts per key (`@[comm] = count()`); `new Sum()` / `new Sum<K>()` add up values.
// Per CPU in the kernel (no CPU waits for another, nothing is lost), summed in user space. A
// keyless one is a one-entry per-CPU array; a keyed one a per-CPU hash of bpftrace's default
// 4096 entries unless the constructor says otherwise.

import type * as TS from "typescript";
import { INT_TYPES, type IntType } from "../frontend/probe-types.js";
import { constInt } from "../ir/ir-module.js";
import { i64 } from "../ir/ir-types.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { NO_VALUE, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { MapType } from "./btf-map.js";
import { aggregationKeyOperand, aggregationShape, atomicAdd, keyAndValue } from "./map-access.js";
import type { MapKind, MapRef } from "./map-kind.js";

/** Adds `delta` to the value at the call's key (index 0 when keyless), creating a keyed entry. */
function addAt(l: ExpressionLowerer, map: MapRef, keyArg: TS.Expression | undefined, delta: Operand): Operand {
  atomicAdd(l, map, aggregationKeyOperand(l, map, keyArg), delta, keyArg !== undefined);
  return NO_VALUE;
}

/** An aggregation of `value`s: keyless or keyed by its type argument, 4096 keys unless given. */
function aggregation(name: string, value: IntType, methods: MapKind["methods"]): MapKind {
  return { name, mapType: MapType.percpuHash, defaultEntries: 4096, types: (p, [key], at) => aggregationShape(p, key, at, name, value, { mapType: MapType.percpuArray }), methods };
}

export const countKind = aggregation("Count", INT_TYPES.u64, {
  increment: (l, map, call) => addAt(l, map, call.arguments[0], { value: constInt(i64, 1), type: INT_TYPES.u64 }),
});

export const sumKind = aggregation("Sum", INT_TYPES.i64, {
  add: (l, map, call) => {
    const [keyArg, valueArg] = keyAndValue(call);
    return addAt(l, map, keyArg, convertAt(l, l.expression(valueArg), map.value, valueArg));
  },
});
