// The array family: ArrayMap<V>(n) and PerCpuArrayMap<V>(n): n entries of V indexed 0…n-1, all
// present from the start (zeroed). get(i) is undefined only past the end. A per-CPU array keeps
// a value per CPU (each program sees its CPU's), which user space reads as an array.

import { INT_TYPES } from "../frontend/probe-types.js";
import { MapType } from "./btf-map.js";
import { addMethod, getMethod, setMethod, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

function arrayFamily(name: string, mapType: number): MapKind {
  return {
    name,
    mapType,
    types: (p, [value], at) => ({ key: INT_TYPES.u32, value: valueTypeOf(p, value, at, `a ${name}'s values`, `new ${name}<u64>(16)`) }),
    methods: { get: getMethod, set: setMethod, add: addMethod(false) },
  };
}

export const arrayMapKind = arrayFamily("ArrayMap", MapType.array);
export const perCpuArrayMapKind = arrayFamily("PerCpuArrayMap", MapType.percpuArray);
