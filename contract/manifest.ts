// The compile manifest: what the compiler hands the runtime with an object, and what the object
// cache stores beside it (as JSON, so plain data only). The runtime loads, parameterises and
// attaches from this alone; it never looks inside the compiler.

import type { CInt, CStruct, CType } from "./c-layout.js";

export interface ProgramInfo {
  name: string;
  kind: string;
  target: string;
  section: string;
  line: number;
  column: number;
  /** Where the target (e.g. the tracepoint's name) is written in the source. */
  targetAt: { line: number; column: number; length: number };
  /** Targets to try in order, the first the kernel has (`kprobe(["fuse_open_common", "fuse_open"], …)`); `target` is the first. */
  alternatives?: string[];
  /** Attach only where the kernel has the target; else the program is left out without a word. */
  optional?: boolean;
  /**
   * The handler's parameters, for a kind whose runtime checks them against the target (a USDT
   * probe's arguments, which only the binary's note says): each one's type and where it is written.
   */
  parameters?: HandlerParameter[];
}

export interface HandlerParameter {
  name: string;
  /** As the probe language writes it: "i32", "UserPtr<u8>". */
  type: string;
  cType: CType;
  at: { line: number; column: number; length: number };
}

/** Where one load-time parameter sits in the `.rodata.params` map's value. */
export interface ParamLayout {
  name: string;
  type: string; // u8 … i64, as messages name it
  /** Its C type: the runtime writes a value with contract/c-values.ts as this. */
  cType: CInt;
  offset: number;
  defaultValue: string; // decimal, as bigint text (JSON has no bigint)
}

/** A map the probe declares: its name in the object (libbpf's and bpftool's), and its C types. */
export interface MapInfo {
  name: string;
  /** The stdlib class (`ArrayMap`): which runtime/maps/ reader reads it. */
  kind: string;
  key: CType;
  value: CType;
  maxEntries: number;
  /** Declared with `export`: `tsbpf run` prints it at exit, as bpftrace prints its maps. */
  exported: boolean;
  /** An aggregation without a key (`new Count()`): one value, at index 0. */
  keyless: boolean;
  /** A stream's (ring buffer's) counter of dropped events: a per-CPU array of one u64, by its name in the object. */
  drops?: string;
  /** A LinearHistogram's buckets, from its constructor. */
  linear?: LinearBuckets;
  /** Where it is declared. */
  line: number;
  column: number;
}

/** One printf call's format and the record it sends: `id` (its index in the list) then its arguments, a0, a1, … */
export interface PrintfFormat {
  format: string;
  record: CStruct;
  line: number;
  column: number;
}

/** The ring buffer the compiler adds for printf (and its drops counter), and each call's format by id. */
export interface PrintfChannel {
  map: string;
  drops: string;
  formats: PrintfFormat[];
}

/**
 * `new LinearHistogram(min, max, step)`: buckets below min, [min, min + step) … [max - step, max),
 * and max upwards; as decimal text (JSON has no bigint).
 */
export interface LinearBuckets {
  min: string;
  max: string;
  step: string;
}

/** A compiled object and what it holds: the part of a compile result the cache keeps. */
export interface CompiledObject {
  object: Buffer;
  programs: ProgramInfo[];
  /** Load-time parameters and where they live in the `.rodata.params` map. */
  params: ParamLayout[];
  maps: MapInfo[];
  /** Where printf's lines come from, if the probe calls printf. */
  printf?: PrintfChannel;
  /** It calls printk: its lines come through a trace pipe (runtime/trace-pipe.ts). */
  printk?: true;
  /** The maps kstack() and ustack() record stacks in, if it calls them (the ids are their keys). */
  stacks?: StackMaps;
}

/** PERF_MAX_STACK_DEPTH: the frames each entry of a stack map holds (the compiler declares the maps, the runtime reads them). */
export const STACK_DEPTH = 127;
/**
 * A stack's id (kstack()'s, ustack()'s low 32 bits) is the number of the CPU that gave it (its low
 * 11 bits) above that CPU's count of ids given before it (20 bits): user space tells an id given
 * from one never given by the per-CPU counts.
 */
export const STACK_ID_COUNT_BITS = 20;
export const STACK_ID_CPU_MASK = 0x7ff;
/** The distinct stacks each of a probe's stack maps keeps (kstack()'s, ustack()'s): a new one past these is not recorded. */
export const STACK_ENTRIES = 8192;
/**
 * A UserStack (ustack()) holds the process id in its high 32 bits and, in the low ones, the
 * stack's id (below 2^31), or for a stack not recorded the error as a 32-bit negative number.
 * The id of `value`, or that negative error.
 */
export const userStackId = (value: bigint): bigint => BigInt.asIntN(32, value);

/** One kind's stacks, by the names of its maps in the object (the compiler's, made unique beside the probe's own). */
export interface StackTableMaps {
  /** The hash of each distinct stack's frames to its id. */
  stacks: string;
  /** A per-CPU array of one u32: each CPU's count of the ids it gave (a change says there are new stacks). */
  nextId: string;
}

/** The stack maps the compiler adds: kstack()'s and ustack()'s. */
export interface StackMaps {
  kernel?: StackTableMaps;
  user?: StackTableMaps;
  /**
   * With `user`: a ring buffer of the user stacks new to the probe, each a UserStack (process id
   * and stack id, 8 bytes), sent once per process and stack: user space reads the process's
   * mappings while it lives (D167).
   */
  userNotices?: string;
}
