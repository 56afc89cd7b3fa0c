// ArrayMap<V>(n): BPF_MAP_TYPE_ARRAY, n entries of V indexed 0…n-1, all present from the start
// (zeroed); shared by every CPU. get(i) is undefined only past the end.

import { INT_TYPES } from "../frontend/probe-types.js";
import { MapType } from "./btf-map.js";
import { getMethod, setMethod, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

export const arrayMapKind: MapKind = {
  name: "ArrayMap",
  mapType: MapType.array,
  types: (p, [value], at) => ({ key: INT_TYPES.u32, value: valueTypeOf(p, value, at, "an ArrayMap's values", "new ArrayMap<u64>(16)") }),
  methods: { get: getMethod, set: setMethod },
};
