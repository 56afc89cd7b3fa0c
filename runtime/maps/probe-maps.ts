// `open<typeof probe>(…).maps`: one member per map the probe module exports, each typed by its
// declaration's class (map-views.ts). Only types: the object is the runtime's map readers by name.

import type { ArrayMap, Avg, Count, HashMap, Histogram, LinearHistogram, LruPerCpuHashMap, Max, Min, PerCpuArrayMap, PerCpuHashMap, Program, Stats, Sum } from "tsbpf";
import type { Decoded, EnumsOf, IsEnum } from "./decoded.js";
import type { EventStream, ProbeMap } from "./map-reader.js";
import type { AggregationView, ArrayMapView, HashMapView, HistogramBucket, PerCpuArrayMapView, PerCpuHashMapView, StatsValue } from "./map-views.js";

/**
 * The view of a map declared as `D` (`typeof probe.counts`), enum member names from `E`. A kind
 * that extends another (PerCpuArrayMap extends ArrayMap) comes before it: the first match wins.
 * A new kind adds its line here, the runtime's reader its file in this folder (open-map.ts).
 */
export type MapView<D, E = never> =
  // RingBuf<E> (and PerfEventArray<E>, to come): matched by emit(), the one method both declare.
  D extends { emit(event: infer Event): boolean }
    ? EventStream<Decoded<Event, E>>
    : D extends PerCpuArrayMap<infer V>
      ? PerCpuArrayMapView<V, E>
      : D extends ArrayMap<infer V>
        ? ArrayMapView<V, E>
        : D extends PerCpuHashMap<infer K, infer V> | LruPerCpuHashMap<infer K, infer V>
          ? PerCpuHashMapView<K, V, E>
          : D extends HashMap<infer K, infer V> // and LruHashMap
            ? HashMapView<K, V, E>
            : D extends Count<infer K> | Sum<infer K>
              ? AggregationView<K, bigint, E, [K] extends [void] ? never : undefined>
              : D extends Min<infer K> | Max<infer K>
                ? AggregationView<K, bigint, E>
                : D extends Avg<infer K>
                  ? AggregationView<K, bigint, E>
                  : D extends Stats<infer K>
                    ? AggregationView<K, StatsValue, E>
                    : D extends Histogram<infer K> | LinearHistogram<infer K>
                      ? AggregationView<K, HistogramBucket[], E>
                      : // A kind without a view is read untyped.
                        ProbeMap;

/** An export that is none of a program, a function, a constant or an enum is a map. */
type IsMap<D> = D extends Program | ((...args: never[]) => unknown) ? false : D extends object ? (IsEnum<D> extends true ? false : true) : false;

/** The maps of probe module `M` (`typeof import("./probe.js")`) by their exported names. */
export type ProbeMaps<M> = { readonly [K in keyof M as IsMap<M[K]> extends true ? K : never]: MapView<M[K], EnumsOf<M>> };

/**
 * `Probe<M>`'s `maps`: typed from the module when open() was given one, else by name each a
 * ProbeMap, or a RingBuf's EventStream.
 */
export type MapsOf<M> = unknown extends M ? Readonly<Record<string, ProbeMap | EventStream>> : ProbeMaps<M>;
