// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { u32, u64 } from "./integers.js";
import type { KernelAddress } from "./formats.js";
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
   * (`kernelPtr<T>(ctx.arg(1))` to read through one), narrower integers widened; for a tracepoint
   * of the running kernel's BTF, its arguments are also fields by name (`ctx.prev`). Reading past the
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
export declare function rawTracepoint<Name extends keyof RawTracepointArguments>(name: Name, handler: (ctx: RawTracepointArgs<RawTracepointArguments[Name]>) => void): Program<"rawTracepoint">;
export declare function rawTracepoint(name: string, handler: (ctx: RawTracepointContext) => void): Program<"rawTracepoint">;

/**
 * Each raw tracepoint's arguments (its TP_PROTO), by name, in order: filled in as a probe is
 * compiled, from the btf_trace_<name> typedefs of the running kernel's BTF, and for the editor by
 * `tsbpf types`. For "sched_switch": `{ preempt: boolean; prev: Ptr<task_struct>; next: … }`.
 */
export interface RawTracepointArguments {}

/**
 * A raw tracepoint's context with its arguments readable by name, `ctx.next.pid`: each is the
 * tracepoint's 64-bit argument slot read as its declared type (as ctx.arg(i) reads it as u64).
 */
export type RawTracepointArgs<Args = {}> = RawTracepointContext & { readonly [A in keyof Args]: Args[A] };

/**
 * Runs `handler` each time the kernel hits tracepoint `name` (the event alone: "sched_switch"),
 * as rawTracepoint does, in a program the kernel checks against the tracepoint's prototype
 * (btf_trace_<name> in its BTF; Linux 5.5): the cheapest way to a tracepoint's arguments
 * (`ctx.next`, typed from the prototype; or `ctx.arg(i)`), as bcc's runqlat reads
 * sched_switch's. A name the kernel does not have fails the load, naming it.
 */
export declare function tpBtf<Name extends keyof RawTracepointArguments>(name: Name, handler: (ctx: RawTracepointArgs<RawTracepointArguments[Name]>) => void): Program<"tpBtf">;
export declare function tpBtf(name: string, handler: (ctx: RawTracepointContext) => void): Program<"tpBtf">;

/** The context of a perf event program: the sampled CPU's registers and the sample (bpf_perf_event_data). */
export interface PerfEventContext {
  readonly __perfEventContext: unique symbol;
}

/** A perf event that samples, as perf(1) names them: software events on any machine, hardware ones where it has a PMU. */
export type PerfEvent =
  | { type: "software"; config: "cpu-clock" | "task-clock" | "page-faults" | "context-switches" | "cpu-migrations" | "minor-faults" | "major-faults" }
  | { type: "hardware"; config: "cycles" | "cpu-cycles" | "instructions" | "cache-references" | "cache-misses" | "branch-instructions" | "branch-misses" | "bus-cycles" | "ref-cycles" };
/** How often it samples: `frequency` samples a second (the kernel adjusts the period), or every `period` events. */
export type PerfEventRate = { frequency: number; period?: never } | { period: number; frequency?: never };

/**
 * Runs `handler` on each sample of `event`, on every CPU: `perfEvent({ type: "software", config:
 * "cpu-clock", frequency: 99 }, …)` samples what each CPU runs 99 times a second (bpftrace's
 * `profile:hz:99`; pid(), comm() are the sampled task's). The event is written out as literals.
 */
export declare function perfEvent(event: PerfEvent & PerfEventRate, handler: (ctx: PerfEventContext) => void): Program<"perfEvent">;

/** Runs `handler` every `milliseconds`, on one CPU (bpftrace's `interval:ms:N`): a literal. */
export declare function interval(milliseconds: number, handler: (ctx: PerfEventContext) => void): Program<"interval">;

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

// ── Kernel functions ─────────────────────────────────────────────────────────────────────────
/**
 * Each kernel function's prototype, by name: filled in as a probe is compiled, from the running
 * kernel's BTF (its FUNC records), and for the editor by `tsbpf types`, e.g.
 * `fuse_open(inode: Ptr<inode>, file: Ptr<file>, isdir: boolean): i32`. A probe on a function
 * named here gets its handler's parameters typed from it.
 */
export interface KernelFunctions {}

/** The name of a kernel function this kernel's BTF describes. */
export type KernelFunctionName = keyof KernelFunctions & string;
/** A kernel function's arguments, as a tuple. */
export type KernelArguments<F extends KernelFunctionName> = KernelFunctions[F] extends (...args: infer A) => unknown ? A : never;
/** Those of the names `F` this kernel's BTF describes. */
export type KnownFunction<F extends string> = F extends KernelFunctionName ? F : never;
/** The arguments of those of `F` this kernel has (declared by the handler where it has none). */
export type KnownArguments<F extends string> = [KnownFunction<F>] extends [never] ? any[] : KernelArguments<KnownFunction<F>>;
/** What a kernel function returns. */
export type KernelReturn<F extends KernelFunctionName> = KernelFunctions[F] extends (...args: never[]) => infer R ? R : never;
/** A glob over kernel function names (`*` any run of characters, `?` one): "vfs_*". */
export type KernelFunctionPattern = `${string}*${string}` | `${string}?${string}`;

/** How a probe on a kernel function attaches. */
export interface KernelProbeOptions {
  /**
   * Attach only where the kernel has the function (or one of the list, or a match of the
   * pattern); on a kernel without it the probe runs without this program, saying nothing.
   * Without it, a missing function is what `tsbpf run --missing-probes` says (an error by default).
   */
  readonly optional?: boolean;
}

/**
 * Runs `handler` each time the kernel enters function `fn`, with the function's arguments as the
 * handler's parameters (read from the argument registers: at most six), typed from the kernel's
 * BTF: `kprobe("fuse_open", (inode, file, isdir) => …)`. A list names alternatives: the first
 * the running kernel has is probed (`["fuse_open_common", "fuse_open"]`, for kernels before and
 * after a rename). Needs a kernel with kprobes (CONFIG_KPROBES).
 */
export declare function kprobe<F extends KernelFunctionName>(fn: F, handler: (...args: KernelArguments<F>) => void): Program<"kprobe">;
export declare function kprobe<F extends KernelFunctionName>(fn: F, options: KernelProbeOptions, handler: (...args: KernelArguments<F>) => void): Program<"kprobe">;
/**
 * Alternatives of which this kernel has only some (a function renamed between kernels): the
 * handler's parameters are typed from those it has.
 */
export declare function kprobe<F extends string>(fn: readonly F[], handler: (...args: KnownArguments<F>) => void): Program<"kprobe">;
export declare function kprobe<F extends string>(fn: readonly F[], options: KernelProbeOptions, handler: (...args: KnownArguments<F>) => void): Program<"kprobe">;
/**
 * A pattern probes every function it matches (`kprobe("vfs_*", …)`): the arguments of
 * functions that differ are u64 each; `funcName()` says which function it is.
 */
export declare function kprobe(pattern: KernelFunctionPattern, handler: (...args: u64[]) => void): Program<"kprobe">;
export declare function kprobe(pattern: KernelFunctionPattern, options: KernelProbeOptions, handler: (...args: u64[]) => void): Program<"kprobe">;
/**
 * A function this kernel's BTF does not describe (or another kernel's): the handler declares the
 * arguments' types itself, `(inode: Ptr<inode>, file: Ptr<file>) => …` (an integer type, boolean,
 * or a `Ptr`/`UserPtr`, which is the argument's 64-bit address).
 */
export declare function kprobe(fn: string | readonly string[], handler: (...args: any[]) => void): Program<"kprobe">;
export declare function kprobe(fn: string | readonly string[], options: KernelProbeOptions, handler: (...args: any[]) => void): Program<"kprobe">;

/**
 * Runs `handler` each time kernel function `fn` returns, with its return value as the one
 * parameter (typed from the kernel's BTF; declared by the handler for other functions):
 * `kretprobe("vfs_read", (ret) => …)`. Lists, patterns and options as kprobe's.
 */
export declare function kretprobe<F extends KernelFunctionName>(fn: F | readonly F[], handler: (ret: KernelReturn<F>) => void): Program<"kretprobe">;
export declare function kretprobe<F extends KernelFunctionName>(fn: F | readonly F[], options: KernelProbeOptions, handler: (ret: KernelReturn<F>) => void): Program<"kretprobe">;
export declare function kretprobe(fn: string | readonly string[], handler: (ret: any) => void): Program<"kretprobe">;
export declare function kretprobe(fn: string | readonly string[], options: KernelProbeOptions, handler: (ret: any) => void): Program<"kretprobe">;

/**
 * Runs `handler` each time a task enters system call `name` ("openat", "read": the name alone),
 * with the system call's arguments as its parameters, declared by the handler:
 * `ksyscall("openat", (dfd: i32, filename: UserPtr<u8>, flags: i32) => …)`. A kprobe on the
 * kernel's entry of the call (`__x64_sys_openat`), whose arguments it reads where the kernel keeps
 * the caller's registers, as libbpf's BPF_KSYSCALL does. Needs kprobes (CONFIG_KPROBES).
 */
export declare function ksyscall(name: string | readonly string[], handler: (...args: any[]) => void): Program<"ksyscall">;
export declare function ksyscall(name: string | readonly string[], options: KernelProbeOptions, handler: (...args: any[]) => void): Program<"ksyscall">;
/** Runs `handler` each time system call `name` returns, with what it returns (declared by the handler: `(ret: i64) => …`). */
export declare function kretsyscall(name: string | readonly string[], handler: (ret: any) => void): Program<"kretsyscall">;
export declare function kretsyscall(name: string | readonly string[], options: KernelProbeOptions, handler: (ret: any) => void): Program<"kretsyscall">;

/**
 * Runs `handler` each time the kernel enters function `fn`, as kprobe does, through a BPF
 * trampoline: cheaper, and checked by the kernel against the function's BTF when it loads (Linux
 * 5.5 with BPF trampolines). The arguments are the handler's parameters, typed from BTF; up to 12.
 * A list names alternatives, the first the kernel has. No patterns.
 */
export declare function fentry<F extends KernelFunctionName>(fn: F | readonly F[], handler: (...args: KernelArguments<F>) => void): Program<"fentry">;
export declare function fentry<F extends KernelFunctionName>(fn: F | readonly F[], options: KernelProbeOptions, handler: (...args: KernelArguments<F>) => void): Program<"fentry">;
export declare function fentry(fn: string | readonly string[], handler: (...args: any[]) => void): Program<"fentry">;
export declare function fentry(fn: string | readonly string[], options: KernelProbeOptions, handler: (...args: any[]) => void): Program<"fentry">;

/**
 * Runs `handler` each time kernel function `fn` returns, through a BPF trampoline, with the
 * function's arguments and then its return value as the parameters: `(inode, file, isdir, ret)`
 * (every argument is listed before the return value).
 */
export declare function fexit<F extends KernelFunctionName>(fn: F | readonly F[], handler: (...args: [...KernelArguments<F>, KernelReturn<F>]) => void): Program<"fexit">;
export declare function fexit<F extends KernelFunctionName>(fn: F | readonly F[], options: KernelProbeOptions, handler: (...args: [...KernelArguments<F>, KernelReturn<F>]) => void): Program<"fexit">;
export declare function fexit(fn: string | readonly string[], handler: (...args: any[]) => void): Program<"fexit">;
export declare function fexit(fn: string | readonly string[], options: KernelProbeOptions, handler: (...args: any[]) => void): Program<"fexit">;

/**
 * Runs `handler` each time a process enters function `symbol` of a user binary:
 * `uprobe("libc:getaddrinfo", (node: UserPtr<u8>) => …)`. The target is "binary:symbol" or
 * "binary:symbol+offset"; the binary an absolute path, a library by short name as the dynamic
 * linker finds it ("libc"), or a command on PATH ("bash"); the symbol from its ELF symbol tables
 * (shared libraries and PIE executables alike). User code has no BTF: the handler declares each
 * argument's type (an integer, boolean, or a `UserPtr<T>` read with readUser/readUserStr), read
 * from the calling convention's registers, at most 6 on x86-64. `tsbpf run --pid N` limits it
 * to one process.
 */
export declare function uprobe(target: string, handler: (...args: any[]) => void): Program<"uprobe">;
/**
 * Runs `handler` each time function `symbol` of a user binary returns, with its return value as
 * the one parameter, declared by the handler: `uretprobe("bash:readline", (line: UserPtr<u8>) => …)`.
 */
export declare function uretprobe(target: string, handler: (ret: any) => void): Program<"uretprobe">;

/**
 * Runs `handler` each time a process passes a USDT probe (sys/sdt.h's STAP_PROBE, DTRACE_PROBE)
 * of a user binary: `usdt("python3:python:function__entry", (file: UserPtr<u8>, fn: UserPtr<u8>,
 * line: i32) => …)`. The target is "binary:provider:name", or "binary:name" where the binary has
 * one provider with that probe; the binary as a uprobe's (an absolute path, a library by short
 * name, a command on PATH). The probe's sites and arguments come from the binary's
 * `.note.stapsdt` (`tsbpf list usdt:python3` lists them); its semaphore, if it has one, is set
 * while the program is attached. The handler declares each argument's type as the note has it
 * (`-4@%eax`: an i32; `8@%rdi`: a u64 or a `UserPtr<T>`), at most 12, checked against the note
 * when the program attaches. `tsbpf run --pid N` limits it to one process.
 */
export declare function usdt(target: string, handler: (...args: any[]) => void): Program<"usdt">;

/**
 * In a probe on a kernel function (kprobe, kretprobe, ksyscall, fentry, fexit): the function's
 * address (bpf_get_func_ip, Linux 5.15), shown as its name (`vfs_read`) in printed maps and
 * events. What a pattern's handler tells its functions apart by: `counts.add(funcName())`.
 */
export declare function funcName(): KernelAddress;
/** The probe's function, as funcName() gives it: bpftrace's `probe` for kernel functions. */
export declare function probeName(): KernelAddress;
