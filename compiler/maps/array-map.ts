// ArrayMap<V>(n): BPF_MAP_TYPE_ARRAY, n entries of V indexed 0…n-1, all present from the start
// (zeroed); shared by every CPU. get(i) is undefined only past the end.

import { Codes } from "../frontend/codes.js";
import { BOOL, INT_TYPES, probeTypeOf } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { MapType } from "./btf-map.js";
import { BPF_ANY, lookup, update } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

export const arrayMapKind: MapKind = {
  name: "ArrayMap",
  mapType: MapType.array,
  types(p, [valueArg], at) {
    const value = probeTypeOf(p, valueArg, at);
    if (value.kind === "void" || value.kind === "optional") throw errorAt(at, Codes.unsupportedType, "an ArrayMap's values need a type", "e.g. new ArrayMap<u64>(16)");
    return { key: INT_TYPES.u32, value };
  },
  methods: {
    get: (l, map, call) => lookup(l, map, call.arguments[0]),
    set: (l, map, call) => {
      const done = update(l, map, call.arguments[0], call.arguments[1], BPF_ANY);
      return { value: l.b.icmp("eq", done, { type: done.type, ref: "0" }), type: BOOL };
    },
  },
};
