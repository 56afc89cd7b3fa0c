// The hash family (HashMap, LruHashMap, PerCpuHashMap, LruPerCpuHashMap): any key of the map's
// key type; entries come and go. A per-CPU map's get() gives one value per possible CPU, and
// sum() their total.

import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { BpfMap, sumOf } from "./bpf-map.js";
import type { ProbeMap } from "./map-reader.js";

export function hashMapReader(perCpu: boolean): (info: MapInfo, handle: () => bigint) => ProbeMap {
  return (info, handle) => {
    const map = new BpfMap(info, handle, perCpu);
    const get = (key: unknown): CValue | undefined => (perCpu ? map.lookupPerCpu(key) : map.lookup(key));
    return {
      info,
      get,
      set: (key, value) => map.update(key, value),
      delete: (key) => map.delete(key),
      has: (key) => get(key) !== undefined,
      entries: () => map.entries(),
      keys: () => map.keys(),
      clear: () => map.deleteAll(),
      ...(perCpu && { sum: (key: unknown) => sumOf(info, map.lookupPerCpu(key)) }),
    };
  };
}
