// Min and Max (compiler/maps/extremum.ts): each CPU's { value, seen } slot, folded here into the
// least or greatest value any CPU saw. A keyless one reads as that value (`get()`), printed
// `@name: 5` (a blank line until something is recorded, as bpftrace prints an empty map); a
// keyed one per key, in ascending order.

import type { MapInfo } from "../../contract/manifest.js";
import { hashMapReader } from "./hash-map.js";
import type { CValue } from "../../contract/c-values.js";
import type { ProbeMap } from "./map-reader.js";

type Slot = { value: bigint; seen: bigint };

/** `least`: Min's reader; Max's otherwise. */
export const extremumReader = (least: boolean) => (info: MapInfo, handle: () => bigint): ProbeMap => {
  const slots = hashMapReader(true)(info, handle);
  const foldSlots = (each: Slot[] | undefined): bigint | undefined => {
    const seen = (each ?? []).filter((s) => s.seen !== 0n).map((s) => s.value);
    if (!seen.length) return undefined;
    return seen.reduce((a, v) => ((least ? v < a : v > a) ? v : a));
  };
  const fold = (key: unknown) => foldSlots(slots.get(key) as Slot[] | undefined);
  return {
    ...slots,
    get: (key) => fold(info.keyless ? 0 : key),
    has: (key) => fold(info.keyless ? 0 : key) !== undefined,
    entries: () => slots.entries().flatMap(([key, each]): [CValue, CValue][] => {
      const v = foldSlots(each as Slot[]);
      return v === undefined ? [] : [[key, v]];
    }),
  };
};
