// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { u32 } from "./integers.js";

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
  private readonly __arrayMap: V;
}
