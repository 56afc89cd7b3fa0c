// HashMap<K, V>(n): BPF_MAP_TYPE_HASH, up to n entries of V by keys of K (any value type: a
// struct key is compared byte by byte, padding included, which tsbpf's zeroed storage keeps
// equal); shared by every CPU. get(k) is undefined where there is no entry.

import { MapType } from "./btf-map.js";
import { deleteMethod, getMethod, hasMethod, setMethod, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

export const hashMapKind: MapKind = {
  name: "HashMap",
  mapType: MapType.hash,
  types: (p, [key, value], at) => ({
    key: valueTypeOf(p, key, at, "a HashMap's keys", "new HashMap<u32, u64>(1024)"),
    value: valueTypeOf(p, value, at, "a HashMap's values", "new HashMap<u32, u64>(1024)"),
  }),
  methods: { get: getMethod, set: setMethod, has: hasMethod, delete: deleteMethod },
};
