// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { u32, u64 } from "./integers.js";
import type { Str } from "./aggregates.js";

// ── Program kinds ────────────────────────────────────────────────────────────────────────────
/** A program handle; the runtime attaches it. Only the compiler creates them. */
export interface Program<Kind extends string = string> {
  readonly kind: Kind;
  readonly target: string;
}

/** The context of a tracepoint program: the tracepoint's record. */
export interface TracepointRecord {
  readonly __tracepointContext: unique symbol;
  /**
   * A `__data_loc` string of the record as a Str of at most `size` − 1 bytes and a NUL:
   * `ctx.str(ctx.filename, 256)` in a sched_process_exec handler. The field (a `u32`) holds the
   * string's length and its offset in the record, as its format file's `__data_loc char[]` says.
   */
  str<N extends number>(field: u32, size: N): Str<N>;
}

/**
 * A tracepoint's record with its fields readable as `ctx.field`, laid out as `Fields` says: as
 * the tracepoint's `format` file lists them (/sys/kernel/tracing/events/<category>/<event>/format),
 * the 8 bytes of common fields first. For syscalls/sys_enter_openat:
 * `{ common: u64; nr: i32; dfd: i64; filename: UserPtr<u8>; flags: i64; mode: u64 }`.
 */
export type TracepointContext<Fields = {}> = TracepointRecord & { readonly [F in keyof Fields]: Fields[F] };

/**
 * Each tracepoint's record, by name: filled in as a probe is compiled, from the format files of
 * the tracepoints it names (/sys/kernel/tracing/events/<category>/<event>/format), and for the
 * editor by `tsbpf types`. `tracepoint__syscalls__sys_enter_openat` and so on, as bcc names them.
 */
export interface TracepointFields {}

/**
 * Runs `handler` each time the kernel hits tracepoint `name` ("category/event", as listed under
 * /sys/kernel/tracing/events), with the tracepoint's record as `ctx`: `ctx.filename`, `ctx.pid`,
 * typed from the tracepoint's format file (a syscall's pointers are UserPtr, a `char comm[16]` a
 * Str<16>). Attached by `tsbpf run` or the runtime's `attach()`.
 */
export declare function tracepoint<Name extends keyof TracepointFields>(name: Name, handler: (ctx: TracepointContext<TracepointFields[Name]>) => void): Program<"tracepoint">;
/**
 * `tracepoint<Fields>(…)` reads the record's fields as `Fields` lays them out (see
 * TracepointContext): for a tracepoint whose format this machine cannot read, or another kernel's.
 */
export declare function tracepoint<Fields = {}>(name: string, handler: (ctx: TracepointContext<Fields>) => void): Program<"tracepoint">;

/**
 * The context of a raw tracepoint program: the arguments the kernel passed to the tracepoint
 * (its TP_PROTO in the kernel source; for "sched_switch": preempt, prev, next, prev_state).
 */
export interface RawTracepointContext {
  readonly __rawTracepointContext: unique symbol;
  /**
   * The tracepoint's argument `index` (a constant, from 0), as 64 bits: pointers as addresses
   * (`kernelPtr<T>(ctx.arg(1))` to read through one), narrower integers widened. Reading past the
   * tracepoint's last argument makes attaching fail.
   */
  arg(index: number): u64;
}

/**
 * Runs `handler` each time the kernel hits tracepoint `name` (the event's name alone, e.g.
 * "sched_switch", "sys_enter"), with the tracepoint's raw arguments rather than its formatted
 * record: cheaper than `tracepoint()`. The names are the kernel's tracepoints (btf_trace_* in
 * its BTF); the per-syscall events (syscalls/sys_enter_openat) are not among them: use
 * "sys_enter" and test the syscall number, ctx.arg(1).
 */
export declare function rawTracepoint(name: string, handler: (ctx: RawTracepointContext) => void): Program<"rawTracepoint">;

/**
 * Runs `handler` each time the kernel hits tracepoint `name` (the event alone: "sched_switch"),
 * as rawTracepoint does, in a program the kernel checks against the tracepoint's prototype
 * (btf_trace_<name> in its BTF; Linux 5.5): the cheapest way to a tracepoint's arguments
 * (`ctx.arg(i)`), as bcc's runqlat reads sched_switch's. A name the kernel does not have fails
 * the load, naming it.
 */
export declare function tpBtf(name: string, handler: (ctx: RawTracepointContext) => void): Program<"tpBtf">;

/** The context of an XDP program: the packet as it arrives at the network driver. */
export interface XdpContext {
  readonly __xdpContext: unique symbol;
}

/** XDP verdicts. */
export declare const XDP_ABORTED: u32;
export declare const XDP_DROP: u32;
export declare const XDP_PASS: u32;
export declare const XDP_TX: u32;
export declare const XDP_REDIRECT: u32;

/**
 * Runs `handler` for each packet arriving on the interface it is attached to; its return value
 * is the verdict (XDP_PASS, XDP_DROP, …). `Probe.testRun()` runs it on a given packet.
 */
export declare function xdp(handler: (ctx: XdpContext) => u32): Program<"xdp">;
