// Histogram and LinearHistogram: bpftrace's hist() and lhist(). `record(v)` (keyless) or
// `record(key, v)` counts v in its bucket, numbered as bpftrace numbers them:
//   log2:   0 below zero, 1 for 0, k + 2 for [2^k, 2^(k+1)) (65 with the top one of a u64);
//   linear: 0 below min, i + 1 for [min + i·step, min + (i + 1)·step), n + 1 from max up,
//           n = (max - min) / step.
// Keyless, the buckets are a per-CPU array; keyed, as bpftrace keeps them, a per-CPU hash of
// (key, bucket) pairs (4096 unless the constructor says otherwise), so that a key costs only the
// buckets it uses. Counted with an atomic add; folded and printed as bpftrace prints them by
// runtime/maps/histogram.ts, which reads the same numbering.

import type * as TS from "typescript";
import { Codes } from "../frontend/codes.js";
import { INT_TYPES, type StructType, type ValueType } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i1, i32, i64 } from "../ir/ir-types.js";
import { allocate, fieldPlace, write } from "../lower/aggregate-storage.js";
import { NO_VALUE, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import type { LinearBuckets } from "../../contract/manifest.js";
import { MapType } from "./btf-map.js";
import { aggregationShape, atomicAdd, keyAndValue, recordedValue } from "./map-access.js";
import type { ConstructorArguments, MapKind, MapRef, MapShape } from "./map-kind.js";
import type { CheckedSource } from "../frontend/checked-source.js";

/** Below zero, 0, and one bucket per power of two of a u64. */
const LOG2_BUCKETS = 66;

/** bpftrace's most buckets between a linear histogram's min and max (its semantic analyser's). */
const MOST_LINEAR_BUCKETS = 1000n;

type Recorded = ReturnType<typeof recordedValue>;

/** The log2 bucket of `v`: 0 below zero, 1 for 0, else 2 + the index of its highest set bit, by halving. */
function log2Bucket(l: ExpressionLowerer, v: Recorded): Value {
  let rest = v.value;
  let bits: Value = constInt(i64, 0);
  for (const shift of [32, 16, 8, 4, 2, 1]) {
    const high = l.b.icmp("uge", rest, constInt(i64, 1n << BigInt(shift)));
    rest = l.b.select(high, l.b.binary("lshr", rest, constInt(i64, shift)), rest);
    bits = l.b.select(high, l.b.binary("add", bits, constInt(i64, shift)), bits);
  }
  // rest is now 0 or 1: the highest bit is at `bits` when rest is 1.
  const atLeastZero = l.b.select(l.b.icmp("eq", v.value, constInt(i64, 0)), constInt(i64, 1), l.b.binary("add", bits, constInt(i64, 2)));
  return v.signed ? l.b.select(l.b.icmp("slt", v.value, constInt(i64, 0)), constInt(i64, 0), atLeastZero) : atLeastZero;
}

/**
 * The linear bucket of `v`. An unsigned value is compared as one (a u64 past i64's range is
 * above max, not below min): the tests that cannot hold for it fold away.
 */
function linearBucket(l: ExpressionLowerer, v: Recorded, buckets: LinearBuckets): Value {
  const [min, max, step] = [BigInt(buckets.min), BigInt(buckets.max), BigInt(buckets.step)];
  const constant = (x: bigint) => constInt(i64, x);
  const below = v.signed ? l.b.icmp("slt", v.value, constant(min)) : min > 0n ? l.b.icmp("ult", v.value, constant(min)) : constInt(i1, 0);
  const above = v.signed ? l.b.icmp("sge", v.value, constant(max)) : max < 0n ? constInt(i1, 1) : l.b.icmp("uge", v.value, constant(max));
  // v - min wraps to the right distance in 64 bits whichever the signs.
  const inside = l.b.binary("add", l.b.binary("udiv", l.b.binary("sub", v.value, constant(min)), constant(step)), constant(1n));
  return l.b.select(below, constant(0n), l.b.select(above, constant((max - min) / step + 1n), inside));
}

/** The key of a keyed histogram's counter: the author's key and the bucket, zeroed between (hash keys compare every byte). */
function bucketKeyType(key: ValueType): StructType {
  return { kind: "struct", name: "tsbpf_bucket_key", fields: [{ name: "key", type: key }, { name: "bucket", type: INT_TYPES.u32 }] };
}

function shapeOf(p: CheckedSource, keyType: TS.Type | undefined, at: TS.Node, name: string, buckets: number): MapShape {
  const shape = aggregationShape(p, keyType, at, name, INT_TYPES.u64, { mapType: MapType.percpuArray, entries: buckets });
  return shape.keyless ? shape : { ...shape, key: bucketKeyType(shape.key) };
}

/** `record(key?, v)`: adds 1 to the bucket `bucketOf` gives v, for the key (creating its pair) or in the keyless array. */
function recordMethod(bucketOf: (l: ExpressionLowerer, v: Recorded, map: MapRef) => Value): MapKind["methods"] {
  return {
    record: (l, map, call) => {
      const [keyArg, valueArg] = keyAndValue(call);
      const key = keyArg && l.expression(keyArg); // evaluated in the order written
      const bucket = l.b.cast("trunc", bucketOf(l, recordedValue(l, valueArg), map), i32);
      const one: Operand = { value: constInt(i64, 1), type: INT_TYPES.u64 };
      if (!key) {
        atomicAdd(l, map, { value: bucket, type: INT_TYPES.u32 }, one, false);
        return NO_VALUE;
      }
      const type = map.key as StructType;
      const pair: Operand = { value: allocate(l, type, keyArg), type };
      write(l, fieldPlace(l, pair, "key", keyArg), key, keyArg);
      l.b.store(bucket, fieldPlace(l, pair, "bucket", keyArg).ptr);
      atomicAdd(l, map, pair, one, true);
      return NO_VALUE;
    },
  };
}

export const histogramKind: MapKind = {
  name: "Histogram",
  mapType: MapType.percpuHash,
  defaultEntries: 4096,
  types: (p, [key], at) => shapeOf(p, key, at, "Histogram", LOG2_BUCKETS),
  methods: recordMethod((l, v) => log2Bucket(l, v)),
};

export const linearHistogramKind: MapKind = {
  name: "LinearHistogram",
  mapType: MapType.percpuHash,
  defaultEntries: 4096,
  settings: 3,
  types: (p, [key], at, args) => {
    const linear = linearBuckets(args);
    const count = Number((BigInt(linear.max) - BigInt(linear.min)) / BigInt(linear.step));
    return { ...shapeOf(p, key, at, "LinearHistogram", count + 2), linear };
  },
  methods: recordMethod((l, v, map) => linearBucket(l, v, map.linear!)),
};

const EXAMPLE = "e.g. new LinearHistogram(0, 100, 10): [0, 10), [10, 20) … [90, 100), with one bucket below 0 and one from 100 up";

/** min, max and step from the constructor: constants that make from 1 to 1000 whole buckets. */
function linearBuckets(args: ConstructorArguments): LinearBuckets {
  const [min, max, step] = (["min", "max", "step"] as const).map((what, i) => {
    const node = args.nodes[i];
    if (!node) throw errorAt(args.at, Codes.badLinearHistogram, `a LinearHistogram needs its ${what}: new LinearHistogram(min, max, step)`, EXAMPLE);
    const value = args.constant(node);
    if (value === undefined) throw errorAt(node, Codes.badLinearHistogram, `a LinearHistogram's ${what} must be a constant integer`, `write it out or name a top-level const; ${EXAMPLE}`);
    if (value < -(1n << 63n) || value >= 1n << 63n) throw errorAt(node, Codes.badLinearHistogram, `a LinearHistogram's ${what} must fit in i64, not ${value}`, EXAMPLE);
    return { value, node };
  });
  if (step.value <= 0n) throw errorAt(step.node, Codes.badLinearHistogram, `a LinearHistogram's step must be at least 1, not ${step.value}`, EXAMPLE);
  const range = max.value - min.value;
  if (range <= 0n) throw errorAt(max.node, Codes.badLinearHistogram, `a LinearHistogram's max (${max.value}) must be greater than its min (${min.value})`, `e.g. new LinearHistogram(${min.value}, ${min.value + 10n * step.value}, ${step.value})`);
  if (range % step.value !== 0n) {
    const lower = max.value - (range % step.value);
    const nearest = [lower, lower + step.value].filter((m) => m > min.value);
    throw errorAt(max.node, Codes.badLinearHistogram, `a LinearHistogram's max - min (${range}) must be a whole number of steps (${step.value}): its last bucket would be cut short`, `write max ${nearest.join(" or ")}`);
  }
  if (range / step.value > MOST_LINEAR_BUCKETS) {
    const least = (range + MOST_LINEAR_BUCKETS - 1n) / MOST_LINEAR_BUCKETS;
    throw errorAt(step.node, Codes.badLinearHistogram, `a LinearHistogram of ${range / step.value} buckets is over the most, ${MOST_LINEAR_BUCKETS}`, `use a step of at least ${least} (that divides max - min), or a smaller range`);
  }
  return { min: String(min.value), max: String(max.value), step: String(step.value) };
}
