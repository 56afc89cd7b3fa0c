// Every kind of map probe code can declare, by its stdlib class. A new family is a file beside
// this one (array-map.ts, hash-map.ts), its kinds added to this list (and their readers to
// runtime/maps/open-map.ts).

import { arrayMapKind, perCpuArrayMapKind } from "./array-map.js";
import { countKind, sumKind } from "./aggregation.js";
import { maxKind, minKind } from "./extremum.js";
import { histogramKind, linearHistogramKind } from "./histogram.js";
import { avgKind, statsKind } from "./stats.js";
import { hashMapKind, lruHashMapKind, lruPerCpuHashMapKind, perCpuHashMapKind } from "./hash-map.js";
import type { MapKind } from "./map-kind.js";
import { ringBufKind } from "./ring-buf.js";
import { perfEventArrayKind } from "./perf-event-array.js";

export type { MapKind } from "./map-kind.js";

const KINDS: readonly MapKind[] = [arrayMapKind, perCpuArrayMapKind, hashMapKind, lruHashMapKind, perCpuHashMapKind, lruPerCpuHashMapKind, histogramKind, linearHistogramKind, countKind, sumKind, minKind, maxKind, avgKind, statsKind, ringBufKind, perfEventArrayKind];

const byName = new Map(KINDS.map((k) => [k.name, k]));

/** The map kind that the stdlib class `name` is, if it is one. */
export const mapKindNamed = (name: string): MapKind | undefined => byName.get(name);

/** The stdlib class names of all map kinds, for messages. */
export const MAP_KIND_NAMES = KINDS.map((k) => k.name);
