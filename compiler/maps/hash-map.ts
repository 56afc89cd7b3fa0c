// The hash family: HashMap<K, V>(n) and its LRU and per-CPU variants. Up to n entries of V by
// keys of K (any value type: a struct key is compared byte by byte, padding included, which
// tsbpf's zeroed storage keeps equal). get(k) is undefined where there is no entry. An LRU map
// makes room by evicting the least recently used entry instead of refusing a new key; a per-CPU
// map keeps a value per CPU (each program sees its CPU's), which user space reads as an array.

import { MapType } from "./btf-map.js";
import { addMethod, deleteMethod, getMethod, hasMethod, setMethod, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

function hashFamily(name: string, mapType: number): MapKind {
  const example = `new ${name}<u32, u64>(1024)`;
  return {
    name,
    mapType,
    types: (p, [key, value], at) => ({
      key: valueTypeOf(p, key, at, `a ${name}'s keys`, example),
      value: valueTypeOf(p, value, at, `a ${name}'s values`, example),
    }),
    methods: { get: getMethod, set: setMethod, has: hasMethod, delete: deleteMethod, add: addMethod(true) },
  };
}

export const hashMapKind = hashFamily("HashMap", MapType.hash);
export const lruHashMapKind = hashFamily("LruHashMap", MapType.lruHash);
export const perCpuHashMapKind = hashFamily("PerCpuHashMap", MapType.percpuHash);
export const lruPerCpuHashMapKind = hashFamily("LruPerCpuHashMap", MapType.lruPercpuHash);
