// ArrayMap (BPF_MAP_TYPE_ARRAY): keys are the indexes 0 … entries - 1, all present.

import { TsbpfError } from "../../contract/errors.js";
import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { BpfMap } from "./bpf-map.js";
import type { ProbeMap } from "./map-reader.js";

export function openArrayMap(info: MapInfo, handle: () => bigint): ProbeMap {
  const map = new BpfMap(info, handle);
  const checked = (index: unknown): number => {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= info.maxEntries)
      throw new TsbpfError(`${String(index)} is not an index of map '${info.name}'`, { subject: `map '${info.name}'`, hint: `its indexes are the integers 0 to ${info.maxEntries - 1}` });
    return index;
  };
  return {
    info,
    get: (index) => map.lookup(checked(index)),
    set: (index, value) => map.update(checked(index), value),
    delete: () => {
      throw new TsbpfError(`entries of map '${info.name}' cannot be deleted: an ArrayMap always has all ${info.maxEntries}`, { subject: `map '${info.name}'`, hint: "set the entry to zero instead" });
    },
    entries: () => {
      const all: [CValue, CValue][] = [];
      for (let i = 0; i < info.maxEntries; i++) {
        const value = map.lookup(i);
        if (value !== undefined) all.push([i, value]); // every index has a value: an array map is never sparse
      }
      return all;
    },
  };
}
