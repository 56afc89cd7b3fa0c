// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { i64, u32, u64 } from "./integers.js";

// ── Maps ─────────────────────────────────────────────────────────────────────────────────────
// Declared at the top level of a probe file (`export const hits = new ArrayMap<u64>(4)`); the
// kernel creates them when the probe loads, and user space reads them through the runtime
// (`probe.map("hits")`) or `bpftool map dump name hits`.

/**
 * `entries` values of type V, indexed 0 … entries - 1, shared by every CPU (BPF_MAP_TYPE_ARRAY).
 * Every entry exists from the start, zeroed; `get` is undefined only past the end, which
 * TypeScript makes the code check (the verifier demands it too).
 */
export declare class ArrayMap<V> {
  /** `entries`: a constant. */
  constructor(entries: number);
  /**
   * The value at `index`, or undefined past the end. A struct or array value is the entry
   * itself (writing its fields changes the map); a number is a copy read now.
   */
  get(index: u32): V | undefined;
  /** Stores `value` at `index`; false past the end. Not atomic: two CPUs may interleave. */
  set(index: u32, value: V): boolean;
  /**
   * Adds `delta` to the value at `index` in one atomic instruction: CPUs counting at once lose
   * nothing. For 32- and 64-bit integer values; nothing past the end.
   */
  add(index: u32, delta: V): void;
  private readonly __arrayMap: V;
}

/**
 * How `set` treats an existing entry: "any" adds or replaces it (the default), "noexist" only
 * adds (false if the key is there), "exist" only replaces (false if it is not).
 */
export type SetMode = "any" | "noexist" | "exist";

/**
 * Up to `entries` values of type V by keys of type K (BPF_MAP_TYPE_HASH), shared by every CPU.
 * A key may be any value type, a struct included (compared byte by byte).
 */
export declare class HashMap<K, V> {
  /** `entries`: a constant, the most entries the map holds. */
  constructor(entries: number);
  /**
   * The value for `key`, or undefined if there is none. A struct or array value is the entry
   * itself (writing its fields changes the map); a number is a copy read now.
   */
  get(key: K): V | undefined;
  /**
   * Stores `value` for `key`, adding or replacing the entry (`mode`: only one of them, see
   * SetMode); false if it did not (the map is full, or the mode said no). Not atomic: use add()
   * to count.
   */
  set(key: K, value: V, mode?: SetMode): boolean;
  /** Whether there is an entry for `key`. */
  has(key: K): boolean;
  /** Removes the entry for `key`; whether there was one. */
  delete(key: K): boolean;
  /**
   * Adds `delta` to the value for `key` in one atomic instruction (CPUs counting at once lose
   * nothing), creating the entry as `delta` if there is none. For 32- and 64-bit integer values.
   */
  add(key: K, delta: V): void;
  private readonly __hashMap: [K, V];
}

/** A HashMap that, when full, makes room by evicting the least recently used entry (BPF_MAP_TYPE_LRU_HASH). */
export declare class LruHashMap<K, V> extends HashMap<K, V> {
  private readonly __lruHashMap: [K, V];
}

/**
 * A HashMap with a value per CPU (BPF_MAP_TYPE_PERCPU_HASH): a program reads and writes its own
 * CPU's, so counting needs no atomics; user space reads every CPU's (`get` gives an array, `sum`
 * their total).
 */
export declare class PerCpuHashMap<K, V> extends HashMap<K, V> {
  private readonly __perCpuHashMap: [K, V];
}

/** A PerCpuHashMap that evicts the least recently used entry when full (BPF_MAP_TYPE_LRU_PERCPU_HASH). */
export declare class LruPerCpuHashMap<K, V> extends HashMap<K, V> {
  private readonly __lruPerCpuHashMap: [K, V];
}

/**
 * An ArrayMap with a value per CPU (BPF_MAP_TYPE_PERCPU_ARRAY): a program reads and writes its
 * own CPU's, so counting needs no atomics; user space reads every CPU's (`get` gives an array,
 * `sum` their total).
 */
export declare class PerCpuArrayMap<V> extends ArrayMap<V> {
  private readonly __perCpuArrayMap: V;
}

// ── Aggregations ─────────────────────────────────────────────────────────────────────────────

/**
 * bpftrace's hist(), a log2 histogram: `new Histogram()` and `h.record(v)` count v in its
 * power-of-two bucket (below 0, [0], [1], [2, 4), [4, 8), …; `@ = hist(v)`); `new
 * Histogram<K>()` and `h.record(key, v)` keep one per key (`@[comm] = hist(v)`), in up to
 * `entries` (key, bucket) pairs (4096 if not given, as bpftrace). Per CPU in the kernel, folded
 * in user space; `tsbpf run` prints it at exit as bpftrace does.
 */
export declare class Histogram<K = void> {
  constructor(entries?: number);
  /** Counts `value` in its bucket (a signed value below 0 in the first). */
  record(...args: [K] extends [void] ? [value: i64 | u64] : [key: K, value: i64 | u64]): void;
  private readonly __histogram: K;
}

/**
 * bpftrace's lhist(), a linear histogram: `new LinearHistogram(min, max, step)` and `h.record(v)`
 * count v in its bucket of `step` values from `min` to `max` (constants), with one bucket below
 * min and one from max up (`@ = lhist(v, min, max, step)`); `new LinearHistogram<K>(min, max,
 * step)` and `h.record(key, v)` keep one per key, in up to `entries` (key, bucket) pairs (4096
 * if not given). At most 1000 buckets between min and max, each a whole step.
 */
export declare class LinearHistogram<K = void> {
  constructor(min: number, max: number, step: number, entries?: number);
  /** Counts `value` in its bucket. */
  record(...args: [K] extends [void] ? [value: i64 | u64] : [key: K, value: i64 | u64]): void;
  private readonly __linearHistogram: K;
}

/**
 * bpftrace's count(): `new Count()` and `c.increment()` count events (`@ = count()`);
 * `new Count<K>()` and `c.increment(key)` count per key (`@[comm] = count()`), in up to
 * `entries` keys (4096 if not given). Per CPU in the kernel, summed in user space; `tsbpf run`
 * prints it at exit as bpftrace does.
 */
export declare class Count<K = void> {
  constructor(entries?: number);
  increment(...key: [K] extends [void] ? [] : [key: K]): void;
  private readonly __count: K;
}

/**
 * bpftrace's sum(): `new Sum()` and `s.add(v)` add up values (`@ = sum(v)`); `new Sum<K>()` and
 * `s.add(key, v)` per key, in up to `entries` keys (4096 if not given).
 */
export declare class Sum<K = void> {
  constructor(entries?: number);
  add(...args: [K] extends [void] ? [value: i64] : [key: K, value: i64]): void;
  private readonly __sum: K;
}

/**
 * bpftrace's min(): `new Min()` and `m.record(v)` keep the least value recorded (`@ = min(v)`);
 * `new Min<K>()` and `m.record(key, v)` per key, in up to `entries` keys (4096 if not given).
 */
export declare class Min<K = void> {
  constructor(entries?: number);
  record(...args: [K] extends [void] ? [value: i64] : [key: K, value: i64]): void;
  private readonly __min: K;
}

/** bpftrace's max(): as Min, keeping the greatest value recorded. */
export declare class Max<K = void> {
  constructor(entries?: number);
  record(...args: [K] extends [void] ? [value: i64] : [key: K, value: i64]): void;
  private readonly __max: K;
}

// ── Events ───────────────────────────────────────────────────────────────────────────────────

/**
 * A stream of events of type E to user space (BPF_MAP_TYPE_RINGBUF, kernels 5.8 and newer): one
 * buffer of `bytes` shared by every CPU, events in the order they were emitted. `bytes` is a
 * power of two and a multiple of the page size (4096): 256 * 1024 is a common choice.
 * User space reads the events as objects (`for await (const e of probe.maps.events)`), and
 * `tsbpf run` prints each as a line.
 */
export declare class RingBuf<E> {
  /** `bytes`: a constant, a power of two of at least 4096. */
  constructor(bytes: number);
  /**
   * Sends `event`: written straight into the buffer (an object literal costs no stack) and
   * handed to user space. False when the buffer is full because user space reads too slowly:
   * the event is dropped, and counted (the runtime reports the count as `lost`).
   */
  emit(event: E): boolean;
  private readonly __ringBuf: E;
}

/**
 * A stream of events of type E to user space through per-CPU perf buffers
 * (BPF_MAP_TYPE_PERF_EVENT_ARRAY): for kernels before 5.8, which have no RingBuf. Events from
 * different CPUs may arrive out of order. Read as a RingBuf is.
 */
export declare class PerfEventArray<E> {
  constructor();
  /**
   * Sends `event` through the perf buffer of the CPU the program runs on; false when that buffer
   * is full (the kernel counts the loss; the runtime reports it as `lost`). Only in a program's
   * handler: it needs the program's context.
   */
  emit(event: E): boolean;
  private readonly __perfEventArray: E;
}

/**
 * bpftrace's avg(): `new Avg()` and `a.record(v)` keep the count and the total of the values
 * recorded (`@ = avg(v)`); `new Avg<K>()` and `a.record(key, v)` per key, in up to `entries` keys
 * (4096 if not given). User space reads the average, total / count in integers as bpftrace
 * divides; `tsbpf run` prints it at exit as bpftrace does.
 */
export declare class Avg<K = void> {
  constructor(entries?: number);
  record(...args: [K] extends [void] ? [value: i64 | u64] : [key: K, value: i64 | u64]): void;
  private readonly __avg: K;
}

/**
 * bpftrace's stats(): as Avg, read as `{ count, average, total }` and printed
 * `@s: count 3, average 2, total 7`.
 */
export declare class Stats<K = void> {
  constructor(entries?: number);
  record(...args: [K] extends [void] ? [value: i64 | u64] : [key: K, value: i64 | u64]): void;
  private readonly __stats: K;
}
