// Avg and Stats (compiler/maps/stats.ts): each CPU's { count, total }, summed here as bpftrace
// sums them (int64s), the average their quotient truncated toward zero (0 without a count). Avg
// reads as the average (a bigint), Stats as { count, average, total }; printed as bpftrace
// prints avg() and stats(), keys by ascending average, the map ended by a blank line.

import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { byRank, lastOf, mapText } from "../output/map-text.js";
import { arrayMapReader } from "./array-map.js";
import { hashMapReader } from "./hash-map.js";
import { entriesOf, refusedSet, type ProbeMap } from "./map-reader.js";

interface Counters {
  count: bigint;
  total: bigint;
  average: bigint;
}

/** How a kind reads and prints its counters. */
interface View {
  value(c: Counters): CValue;
  text(c: Counters): string;
}

const AVG: View = { value: (c) => c.average, text: (c) => String(c.average) };
const STATS: View = {
  value: ({ count, average, total }) => ({ count, average, total }),
  text: (c) => `count ${c.count}, average ${c.average}, total ${c.total}`,
};

export const avgReader = (info: MapInfo, handle: () => bigint): ProbeMap => statsOf(info, handle, AVG);
export const statsReader = (info: MapInfo, handle: () => bigint): ProbeMap => statsOf(info, handle, STATS);

function statsOf(info: MapInfo, handle: () => bigint, view: View): ProbeMap {
  const slots = (info.keyless ? arrayMapReader(true) : hashMapReader(true))(info, handle);
  const at = (key: unknown) => (info.keyless ? 0 : key);
  /** The CPUs' counters at `key` added up; undefined where nothing was recorded. */
  const fold = (key: unknown): Counters | undefined => {
    const perCpu = slots.get(at(key)) as { count: bigint; total: bigint }[] | undefined;
    if (!perCpu) return undefined;
    const count = BigInt.asIntN(64, perCpu.reduce((a, s) => a + s.count, 0n));
    const total = BigInt.asIntN(64, perCpu.reduce((a, s) => a + s.total, 0n));
    return count === 0n ? undefined : { count, total, average: total / count };
  };
  const recorded = () => entriesOf(info.keyless ? [0] : slots.keys(), fold);
  return {
    info,
    has: (key) => fold(key) !== undefined,
    get: (key) => {
      const c = fold(key);
      return c && view.value(c);
    },
    set: refusedSet(info),
    delete: (key) => {
      if (!info.keyless) return slots.delete(key);
      const had = fold(0) !== undefined;
      slots.clear();
      return had;
    },
    entries: () => recorded().map(([key, c]) => [key, view.value(c)]),
    keys: () => recorded().map(([key]) => key),
    clear: () => slots.clear(),
    format: (top) =>
      mapText(
        info,
        lastOf(byRank(info.key, recorded(), (c) => c.average), top).map(([key, c]) => [key, view.text(c)]),
        "\n\n",
      ),
  };
}
