// The typed faces of the map readers (map-reader.ts's ProbeMap, one per kind in this folder):
// what `open<typeof probe>(…).maps.<name>` is, by the family of the map's declaration
// (probe-maps.ts chooses). Keys and values in the types the runtime really gives (decoded.ts).
// Only types: each view is the reader object itself.

import type { MapInfo } from "../../contract/manifest.js";
import type { Decoded, Encodable, IsInteger } from "./decoded.js";

/** What every view has: keys written as `KIn` and read as `KOut`, values written as `VIn`, read as `VOut`. */
interface EntriesView<KIn, KOut, VIn, VOut> {
  readonly info: MapInfo;
  /** Stores `value` at `key` (in every CPU's slot, for a per-CPU map). */
  set(key: KIn, value: VIn): void;
  /** Whether there is an entry at `key`. */
  has(key: KIn): boolean;
  /** Every entry, in the map's order. */
  entries(): [KOut, VOut][];
  /** Every key, in the map's order. */
  keys(): KOut[];
  /** Empties the map: a hash loses its entries, an array's values become zero. */
  clear(): void;
}

/** The total of a per-CPU map's CPUs' values at a key, for integer values (others have no `sum`). */
type Sum<KIn, V, E, Missing> = IsInteger<V> extends true ? (key: KIn) => Decoded<V, E> | Missing : never;

/** `HashMap<K, V>`, `LruHashMap<K, V>`. */
export interface HashMapView<K, V, E = never> extends EntriesView<Encodable<K, E>, Decoded<K, E>, Encodable<V, E>, Decoded<V, E>> {
  /** The value at `key`, or undefined if there is none. */
  get(key: Encodable<K, E>): Decoded<V, E> | undefined;
  /** Removes the entry at `key`; whether there was one. */
  delete(key: Encodable<K, E>): boolean;
}

/** `ArrayMap<V>`: indexes 0 … entries - 1, every one with a value (an index past the end is an error); nothing to delete. */
export interface ArrayMapView<V, E = never> extends EntriesView<number, number, Encodable<V, E>, Decoded<V, E>> {
  get(index: number): Decoded<V, E>;
}

/** `PerCpuHashMap<K, V>`, `LruPerCpuHashMap<K, V>`: each CPU's value, one per possible CPU. */
export interface PerCpuHashMapView<K, V, E = never> extends EntriesView<Encodable<K, E>, Decoded<K, E>, Encodable<V, E>, Decoded<V, E>[]> {
  get(key: Encodable<K, E>): Decoded<V, E>[] | undefined;
  delete(key: Encodable<K, E>): boolean;
  /** The CPUs' values at `key` added up; undefined if there is no entry. */
  readonly sum: Sum<Encodable<K, E>, V, E, undefined>;
}

/** `PerCpuArrayMap<V>`: each CPU's value at each index, one per possible CPU. */
export interface PerCpuArrayMapView<V, E = never> extends EntriesView<number, number, Encodable<V, E>, Decoded<V, E>[]> {
  get(index: number): Decoded<V, E>[];
  /** The CPUs' values at `index` added up. */
  readonly sum: Sum<number, V, E, never>;
}

/** An aggregation's key arguments: none when it has no key (`new Count()`). */
type KeyArgs<K, E> = [K] extends [void] ? [] : [key: Encodable<K, E>];
/** The key an aggregation's entries carry: 0 for its one value when it has no key. */
type AggregationKey<K, E> = [K] extends [void] ? 0 : Decoded<K, E>;

/**
 * bpftrace's aggregations read as data: `Count<K>`, `Sum<K>`, `Min<K>`, `Max<K>`, `Avg<K>`, `Stats<K>`,
 * and histograms (their counted buckets), each value
 * folded over the CPUs (`V`); `Missing` is what `get` gives for a key with nothing recorded.
 */
export interface AggregationView<K, V, E = never, Missing = undefined> {
  readonly info: MapInfo;
  /** The value (at `key`, for a keyed one). */
  get(...key: KeyArgs<K, E>): V | Missing;
  has(...key: KeyArgs<K, E>): boolean;
  /** `[key, value]` for each key with a value; `[0, value]` for one without a key. */
  entries(): [AggregationKey<K, E>, V][];
  keys(): AggregationKey<K, E>[];
  /** Forgets everything recorded. */
  clear(): void;
}

/** One bucket of a histogram: the values from `min` to `max` (both included, as bpftrace's JSON gives them; one is missing for the open-ended buckets), and how many were recorded there. */
export interface HistogramBucket {
  min?: bigint;
  max?: bigint;
  count: bigint;
}

/** `Avg<K>`'s and `Stats<K>`'s value for a key: bpftrace's stats(); avg() gives only the average. */
export interface StatsValue {
  count: bigint;
  average: bigint;
  total: bigint;
}
