// The array family (ArrayMap, PerCpuArrayMap): keys are the indexes 0 … entries - 1, all present.
// A per-CPU array's get() gives one value per possible CPU, and sum() their total.

import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { BpfMap, sumOf } from "./bpf-map.js";
import { codecOf, decodeValue, type CValue } from "../../contract/c-values.js";
import type { ProbeMap } from "./map-reader.js";

/** The value of `t` whose bytes are all zero. */
/** A value of type `t` as a new entry holds it: zeroed bytes, decoded. */
export const zeroOf = (t: MapInfo["value"]): CValue => decodeValue(t, new Uint8Array(codecOf(t).size));

export function arrayMapReader(perCpu: boolean): (info: MapInfo, handle: () => bigint) => ProbeMap {
  return (info, handle) => {
    const map = new BpfMap(info, handle, perCpu);
    const checked = (index: unknown): number => {
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= info.maxEntries)
        throw new TsbpfError(`${String(index)} is not an index of map '${info.name}'`, { subject: `map '${info.name}'`, hint: `its indexes are the integers 0 to ${info.maxEntries - 1}` });
      return index;
    };
    const indexes = (): number[] => Array.from({ length: info.maxEntries }, (_, i) => i);
    const get = (index: unknown): CValue | undefined => (perCpu ? map.lookupPerCpu(checked(index)) : map.lookup(checked(index)));
    return {
      info,
      dense: true,
      get,
      set: (index, value) => map.update(checked(index), value),
      has: (index) => Number.isInteger(index) && (index as number) >= 0 && (index as number) < info.maxEntries,
      delete: () => {
        throw new TsbpfError(`entries of map '${info.name}' cannot be deleted: an array always has all ${info.maxEntries}`, { subject: `map '${info.name}'`, hint: "set the entry to zero instead" });
      },
      entries: () => map.entries(), // every index has a value: an array is never sparse
      keys: indexes,
      clear: () => {
        const zero = zeroOf(info.value);
        for (let i = 0; i < info.maxEntries; i++) map.update(i, zero);
      },
      ...(perCpu && { sum: (index: unknown) => sumOf(info, map.lookupPerCpu(checked(index))) }),
    };
  };
}
