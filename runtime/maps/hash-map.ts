// HashMap (BPF_MAP_TYPE_HASH): any key of the map's key type; entries come and go.

import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { BpfMap } from "./bpf-map.js";
import type { ProbeMap } from "./map-reader.js";

export function openHashMap(info: MapInfo, handle: () => bigint): ProbeMap {
  const map = new BpfMap(info, handle);
  return {
    info,
    get: (key) => map.lookup(key),
    set: (key, value) => map.update(key, value),
    delete: (key) => map.delete(key),
    entries: () => {
      const all: [CValue, CValue][] = [];
      for (const key of map.keys()) {
        const value = map.lookup(key);
        if (value !== undefined) all.push([key, value]); // deleted since the walk saw its key
      }
      return all;
    },
  };
}
