// Count and Sum (compiler/maps/aggregation.ts): per CPU in the kernel, summed here. A keyless one
// reads as its one total (`get()`), printed `@name: 5` as bpftrace prints `@ = count()`; a keyed
// one is a per-CPU hash whose get(key) gives the total for the key.

import type { MapInfo } from "../../contract/manifest.js";
import { arrayMapReader } from "./array-map.js";
import { hashMapReader } from "./hash-map.js";
import type { CValue } from "../../contract/c-values.js";
import { sumOf } from "./bpf-map.js";
import type { ProbeMap } from "./map-reader.js";

export function aggregationReader(info: MapInfo, handle: () => bigint): ProbeMap {
  if (!info.keyless) {
    const perKey = hashMapReader(true)(info, handle);
    const total = (key: unknown) => perKey.sum!(key);
    return { ...perKey, get: total, entries: () => perKey.entries().map(([key, values]) => [key, sumOf(info, values as CValue[])!]) };
  }
  const single = arrayMapReader(true)(info, handle);
  const total = () => single.sum!(0)!;
  return {
    ...single,
    get: () => total(),
    has: () => true,
    entries: () => [[0, total()]],
    format: () => `@${info.name}: ${total()}\n`,
  };
}
