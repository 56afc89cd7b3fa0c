// bpftrace's min() and max(): `new Min()` / `new Min<K>()` keep the least value recorded (per
// key), `Max` the greatest. Per CPU in the kernel, each CPU's slot a { value, seen } pair (an
// entry another CPU created starts unseen here, not at a made-up 0); user space folds the seen
// ones (runtime/maps/extremum.ts). Keyless ones use key 0 of a one-entry per-CPU hash.

import type * as TS from "typescript";
import { INT_TYPES, type StructType } from "../frontend/probe-types.js";
import { constInt, nullPointer, type Value } from "../ir/ir-module.js";
import { i1, i64 } from "../ir/ir-types.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { NO_VALUE, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { MapType } from "./btf-map.js";
import { aggregationKeyOperand, aggregationShape, findOrCreate, keyAndValue } from "./map-access.js";
import type { MapKind, MapRef } from "./map-kind.js";

const SLOT: StructType = {
  kind: "struct",
  name: "tsbpf_extremum",
  fields: [
    { name: "value", type: INT_TYPES.i64 },
    { name: "seen", type: INT_TYPES.u64 },
  ],
};

/** Records `v` at the call's key: creates the entry holding it, or replaces a worse or unseen value. */
function record(l: ExpressionLowerer, map: MapRef, keyArg: TS.Expression | undefined, valueArg: TS.Expression, better: "slt" | "sgt"): Operand {
  const key = aggregationKeyOperand(l, map, keyArg);
  const v = convertAt(l, l.expression(valueArg), INT_TYPES.i64, valueArg).value;
  const update = l.fn.newBlock("extremum.update");
  const done = l.fn.newBlock("extremum.done");
  const keep = (slot: Value): void => {
    l.b.store(v, field(l, slot, 0));
    l.b.store(constInt(i64, 1), field(l, slot, 8));
  };
  // A new entry: this CPU's slot holds v, seen.
  const slot = findOrCreate(l, map, key, keep, done);
  l.b.condBr(l.b.icmp("eq", slot, nullPointer), done, update);
  l.b.positionAt(update);
  const seen = l.b.icmp("ne", l.b.load(field(l, slot, 8)), constInt(i64, 0));
  const wins = l.b.icmp(better, v, l.b.load(field(l, slot, 0)));
  const store = l.fn.newBlock("extremum.store");
  l.b.condBr(l.b.select(seen, wins, constInt(i1, 1)), store, done);
  l.b.positionAt(store);
  keep(slot);
  l.b.br(done);
  l.b.positionAt(done);
  return NO_VALUE;
}

const field = (l: ExpressionLowerer, slot: Value, offset: number): Value => l.b.byteOffset(slot, offset, i64);

function extremum(name: string, better: "slt" | "sgt"): MapKind {
  return {
    name,
    mapType: MapType.percpuHash,
    defaultEntries: 4096,
    types: (p, [key], at) => aggregationShape(p, key, at, name, SLOT),
    methods: {
      record: (l, map, call) => record(l, map, ...keyAndValue(call), better),
    },
  };
}

export const minKind = extremum("Min", "slt");
export const maxKind = extremum("Max", "sgt");
