// Histogram: bpftrace's hist(), a log2 histogram. `record(v)` counts v in its power-of-two
// bucket: bucket 0 holds 0, bucket k + 1 holds [2^k, 2^(k+1)). The buckets are a per-CPU array
// (no CPU waits for another), folded and printed as bpftrace prints hist() by
// runtime/maps/histogram.ts.

import { INT_TYPES } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i32, i64 } from "../ir/ir-types.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { NO_VALUE } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { MapType } from "./btf-map.js";
import { atomicAdd } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

/** 0, and one bucket per power of two of a u64. */
const BUCKETS = 65;

/** The bucket of `v` (an i64): 0 for 0, else 1 + the index of its highest set bit, by halving. */
function bucketOf(l: ExpressionLowerer, v: Value): Value {
  let rest = v;
  let bits: Value = constInt(i64, 0);
  for (const shift of [32, 16, 8, 4, 2, 1]) {
    const high = l.b.icmp("uge", rest, constInt(i64, 1n << BigInt(shift)));
    rest = l.b.select(high, l.b.binary("lshr", rest, constInt(i64, shift)), rest);
    bits = l.b.select(high, l.b.binary("add", bits, constInt(i64, shift)), bits);
  }
  // rest is now 0 or 1: the highest bit is at `bits` when rest is 1.
  return l.b.select(l.b.icmp("eq", v, constInt(i64, 0)), constInt(i64, 0), l.b.binary("add", bits, constInt(i64, 1)));
}

export const histogramKind: MapKind = {
  name: "Histogram",
  mapType: MapType.percpuArray,
  entries: BUCKETS,
  types: () => ({ key: INT_TYPES.u32, value: INT_TYPES.u64 }),
  methods: {
    record: (l, map, call) => {
      const arg = call.arguments[0];
      const value = convertAt(l, l.expression(arg), INT_TYPES.u64, arg);
      const bucket = l.b.cast("trunc", bucketOf(l, value.value), i32);
      atomicAdd(l, map, { value: bucket, type: INT_TYPES.u32 }, { value: constInt(i64, 1), type: INT_TYPES.u64 }, false);
      return NO_VALUE;
    },
  },
};
