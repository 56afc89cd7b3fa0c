// Avg and Stats: bpftrace's avg() and stats(). `record(v)` (keyless) or `record(key, v)` adds 1 to
// a count and v to a total, per CPU in the kernel, each with an atomic add; user space sums the
// CPUs' and divides (runtime/maps/stats.ts): Avg prints the average, Stats all three. The two
// kinds differ only there. Keyless, one entry of a per-CPU array; keyed, a per-CPU hash of 4096
// keys unless the constructor says otherwise.

import { INT_TYPES, type StructType } from "../frontend/probe-types.js";
import { structLayout } from "../../contract/c-layout.js";
import { constInt } from "../ir/ir-module.js";
import { i64 } from "../ir/ir-types.js";
import { NO_VALUE } from "../lower/arith.js";
import { MapType } from "./btf-map.js";
import { aggregationKeyOperand, aggregationShape, atomicAddFields, keyAndValue, recordedValue } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

/** Per CPU: how many values were recorded, and their sum (bpftrace's two int64s). */
const COUNTERS: StructType = {
  kind: "struct",
  name: "tsbpf_stats",
  fields: [
    { name: "count", type: INT_TYPES.u64 },
    { name: "total", type: INT_TYPES.i64 },
  ],
};

const [COUNT_AT, TOTAL_AT] = structLayout(COUNTERS).offsets;

function statsFamily(name: string): MapKind {
  return {
    name,
    mapType: MapType.percpuHash,
    defaultEntries: 4096,
    types: (p, [key], at) => aggregationShape(p, key, at, name, COUNTERS, { mapType: MapType.percpuArray }),
    methods: {
      record: (l, map, call) => {
        const [keyArg, valueArg] = keyAndValue(call);
        const key = aggregationKeyOperand(l, map, keyArg);
        const v = recordedValue(l, valueArg);
        const adds = [
          { offset: COUNT_AT, delta: constInt(i64, 1) },
          { offset: TOTAL_AT, delta: v.value },
        ];
        atomicAddFields(l, map, key, adds, keyArg !== undefined);
        return NO_VALUE;
      },
    },
  };
}

export const avgKind = statsFamily("Avg");
export const statsKind = statsFamily("Stats");
