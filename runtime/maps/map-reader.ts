// The runtime's half of a map kind (the compiler's is compiler/maps/<kind>.ts): reading and
// writing a loaded probe's map from user space, with keys and values decoded by the manifest's
// C types (contract/c-values.ts). One file per kind in this folder, listed in open-map.ts.

import type { CValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";

export interface ProbeMap {
  readonly info: MapInfo;
  /** The value at `key` (a per-CPU map: an array, one per possible CPU), or undefined if there is none. */
  get(key: unknown): CValue | undefined;
  /** Stores `value` at `key`. */
  set(key: unknown, value: unknown): void;
  /** Removes the entry at `key`; whether there was one. */
  delete(key: unknown): boolean;
  /** Whether there is an entry at `key` (an array: whether `key` is one of its indexes). */
  has(key: unknown): boolean;
  /** Every entry, in the map's order. */
  entries(): [CValue, CValue][];
  /** Every key, in the map's order. */
  keys(): CValue[];
  /** Empties the map: a hash loses its entries, an array's values become zero. */
  clear(): void;
  /** A per-CPU map's total of its CPUs' integer values at `key` (get() gives each CPU's). */
  sum?(key: unknown): number | bigint | undefined;
  /** Every key always has a value (an array): `tsbpf run` leaves out the zero ones when it prints. */
  dense?: boolean;
  /**
   * How `tsbpf run` prints it at exit, where a kind prints otherwise than `@name[key]: value` (a
   * histogram); `top` (--top N): only the N largest keys, where it has keys.
   */
  format?(top?: number): string;
}

/** [key, value] for each of `keys` that still has a value (an entry may go between the walk and the read). */
export function entriesOf<V = CValue>(keys: readonly CValue[], valueAt: (key: CValue) => V | undefined): [CValue, V][] {
  const all: [CValue, V][] = [];
  for (const key of keys) {
    const value = valueAt(key);
    if (value !== undefined) all.push([key, value]);
  }
  return all;
}

/**
 * A stream of events from the kernel (a RingBuf): `for await (const e of stream)`, or
 * `consume(onBatch)` for speed. `lost` counts the events the probe dropped because the buffer
 * was full.
 */
export interface EventStream<D = CValue> extends AsyncIterable<D> {
  readonly info: MapInfo;
  readonly lost: bigint;
  /** Calls `onBatch` with the events that arrived, as they arrive, until `signal` aborts or the probe closes. */
  consume(onBatch: (events: D[]) => void, signal?: AbortSignal): Promise<void>;
  /** Hands out the events ready now, in one or more batches, without waiting; how many. */
  poll(onBatch: (events: D[]) => void): number;
  /** Ends every iteration and releases the buffer's memory (the probe's close() does it). */
  close(): void;
}
/** set() of an aggregation whose values only its probe records (a histogram's buckets, an average's count and total). */
export const refusedSet =
  (info: MapInfo) =>
  (): never => {
    throw new TsbpfError(`map '${info.name}' is a ${info.kind}: only its probe records into it`, { subject: `map '${info.name}'`, hint: "read it with get() or entries(); clear() empties it" });
  };
