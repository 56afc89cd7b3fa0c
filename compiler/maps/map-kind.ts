// What the compiler knows of a kind of BPF map that probe code declares (`new ArrayMap<u64>(4)`).
// Each kind is one file in this folder, listed in registry.ts; how the runtime reads it is
// runtime/maps/<kind>.ts. The map's definition in the object is btf-map.ts's, for every kind.

import type * as TS from "typescript";
import type { CheckedSource } from "../frontend/checked-source.js";
import type { IntType, ValueType } from "../frontend/probe-types.js";
import type { Value } from "../ir/ir-module.js";
import type { Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import type { LinearBuckets } from "../../contract/manifest.js";

/** A declared map as lowering sees it: its declaration and its global. */
export interface MapRef {
  kind: MapKind;
  key: ValueType;
  value: ValueType;
  /** The `.maps` global. */
  ref: Value;
  /** A stream's count of events it dropped (its companion per-CPU counter). */
  drops?: MapRef;
  /** A LinearHistogram's buckets. */
  linear?: LinearBuckets;
}

/** `map.method(…)`: lowered with the map it is called on. */
export type MapMethod = (l: ExpressionLowerer, map: MapRef, call: TS.CallExpression) => Operand;

/** What a declaration's type arguments make of a map. */
export interface MapShape {
  key: ValueType;
  value: ValueType;
  /** In place of the kind's BPF_MAP_TYPE (a keyless aggregation is an array, a keyed one a hash). */
  mapType?: number;
  /** In place of the kind's fixed size. */
  entries?: number;
  /** No key in the probe's code (`count.increment()`): one value, printed without brackets. */
  keyless?: boolean;
  /** A LinearHistogram's buckets, from its constructor's arguments. */
  linear?: LinearBuckets;
}

/** The arguments of a map's `new`, for a kind that takes settings before its count. */
export interface ConstructorArguments {
  readonly nodes: readonly TS.Expression[];
  /** An argument's value, where it is a constant (a literal, a module-level const, an enum member). */
  constant(e: TS.Expression): bigint | undefined;
  readonly at: TS.NewExpression;
}

export interface MapKind {
  /** The stdlib class (stdlib/maps.d.ts); the manifest's `kind`. */
  readonly name: string;
  /** BPF_MAP_TYPE_* (btf-map.ts's MapType). */
  readonly mapType: number;
  /**
   * Key and value types from the class's type arguments (`ArrayMap<V>`: u32 and V), and what
   * they decide; with the constructor's arguments for a kind that takes `settings`.
   */
  types(p: CheckedSource, typeArguments: readonly TS.Type[], at: TS.Node, args: ConstructorArguments): MapShape;
  /** How many constructor arguments come before the count, read by types() (LinearHistogram's min, max, step). */
  readonly settings?: number;
  /** For a kind of a fixed size (a histogram's buckets): its entries, and its constructor takes no count. */
  readonly entries?: number;
  /** The entries when the constructor is given no count (bpftrace's 4096 for aggregations). */
  readonly defaultEntries?: number;
  /** What the constructor's count must be besides 1 … 2^30 - 1 (a ring buffer's bytes): the error where it is not. */
  readonly checkEntries?: (n: bigint) => { message: string; hint: string } | undefined;
  /**
   * A stream of events to user space: the value type is the event's (for the manifest), not the
   * definition's. A ring buffer's definition has no key or value, and a per-CPU counter beside
   * it counts the events dropped when it was full (`countsDrops`); a perf event array's has
   * `slots` for both (one per CPU, each a perf buffer), and the kernel counts its losses.
   */
  readonly stream?: { readonly slots?: IntType; readonly countsDrops: boolean };
  /** The methods probe code may call, by name. */
  readonly methods: Readonly<Record<string, MapMethod>>;
}
