// `import … from "tsbpf"` in probe code. These declarations are what the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

// ── Integers ─────────────────────────────────────────────────────────────────────────────────
// A plain `type u32 = number` is erased by the checker. A branded alias keeps its name, and
// listing in each brand the widths that fit inside it makes widening implicit (u32 → u64) while
// narrowing (u64 → u32) is a type error that asks for a cast: `u32(x)`. See docs/decisions.md.
declare const WIDTH: unique symbol;
type Fits<W extends string> = { readonly [WIDTH]?: W };

export type u8 = number & Fits<"u8" | "bool">;
export type u16 = number & Fits<"u8" | "u16" | "bool">;
export type u32 = number & Fits<"u8" | "u16" | "u32" | "bool">;
export type u64 = number & Fits<"u8" | "u16" | "u32" | "u64" | "bool">;
export type i8 = number & Fits<"i8" | "bool">;
export type i16 = number & Fits<"u8" | "i8" | "i16" | "bool">;
export type i32 = number & Fits<"u8" | "u16" | "i8" | "i16" | "i32" | "bool">;
export type i64 = number & Fits<"u8" | "u16" | "u32" | "i8" | "i16" | "i32" | "i64" | "bool">;

/** Explicit conversions: truncate or extend to the named width, as a C cast does. */
export declare function u8(x: number): u8;
export declare function u16(x: number): u16;
export declare function u32(x: number): u32;
export declare function u64(x: number): u64;
export declare function i8(x: number): i8;
export declare function i16(x: number): i16;
export declare function i32(x: number): i32;
export declare function i64(x: number): i64;

// ── Aggregates ───────────────────────────────────────────────────────────────────────────────
// Structs are written as interfaces (or object type aliases) of these types, laid out as C
// lays them out. Objects are references, as in JavaScript: `const b = a` names the same struct.

declare const LENGTH: unique symbol;
/**
 * N elements of T, contiguous (C's `T name[N]`). Create one with an array literal
 * (`const xs: FixedArray<u32, 4> = [1, 2]`, the rest zero); index it with `xs[i]`: a constant
 * index is checked when compiling; a variable one at run time (out of range reads 0 and
 * writes nothing); iterate with `for (const x of xs)`.
 */
export type FixedArray<T, N extends number> = { [index: number]: T; readonly length: number; readonly [LENGTH]?: N };

declare const STR: unique symbol;
/**
 * A NUL-terminated string in a buffer of N bytes (C's `char name[N]`), as the kernel keeps
 * task names and paths. From `comm()`, or a string literal (truncated to N - 1 bytes);
 * printed with printk's `%s`; decoded to a JavaScript string in user space.
 */
export type Str<N extends number> = string & { readonly [STR]?: N };

// ── Pointers ─────────────────────────────────────────────────────────────────────────────────
// Memory outside the program (the kernel's, or the current process's) is read through a helper
// that cannot fault: `readKernel(p)`, `readUser(p)`. A failed read gives zeroes.
declare const POINTEE: unique symbol;
declare const SPACE: unique symbol;
/** The address of a T in kernel memory. */
export type Ptr<T> = { readonly [POINTEE]: T; readonly [SPACE]: "kernel" };
/** The address of a T in the current process's memory (a system call's pointer argument). */
export type UserPtr<T> = { readonly [POINTEE]: T; readonly [SPACE]: "user" };

/** Treats an address as a pointer to a T in kernel memory. */
export declare function kernelPtr<T>(address: u64): Ptr<T>;
/** Treats an address as a pointer to a T in the current process's memory. */
export declare function userPtr<T>(address: u64): UserPtr<T>;
/** The address a pointer holds. */
export declare function address<T>(p: Ptr<T> | UserPtr<T>): u64;
/** Reads a T from kernel memory (bpf_probe_read_kernel). */
export declare function readKernel<T>(p: Ptr<T>): T;
/** Reads a T from the current process's memory (bpf_probe_read_user). */
export declare function readUser<T>(p: UserPtr<T>): T;
/** Reads a NUL-terminated string of at most size - 1 bytes from kernel memory. */
export declare function readKernelStr<N extends number>(p: Ptr<u8>, size: N): Str<N>;
/** Reads a NUL-terminated string of at most size - 1 bytes from the current process's memory. */
export declare function readUserStr<N extends number>(p: UserPtr<u8>, size: N): Str<N>;

// ── Program kinds ────────────────────────────────────────────────────────────────────────────
/** A program handle; the runtime attaches it. Only the compiler creates them. */
export interface Program<Kind extends string = string> {
  readonly kind: Kind;
  readonly target: string;
}

/** The raw context of a tracepoint program (the tracepoint's record). */
export interface TracepointContext {
  readonly __tracepointContext: unique symbol;
}

/**
 * Runs `handler` each time the kernel hits tracepoint `name` ("category/event", as listed under
 * /sys/kernel/tracing/events). Attached by `tsbpf run` or the runtime's `attach()`.
 */
export declare function tracepoint(name: string, handler: (ctx: TracepointContext) => void): Program<"tracepoint">;

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

// ── Load-time parameters ─────────────────────────────────────────────────────────────────────
/**
 * A read-only value set when the probe is loaded (`tsbpf run --param NAME=V`, or `params` in
 * the runtime's `open()`); `defaultValue` when not set. Declare at the top level:
 * `const TARGET_PID = param<u32>("TARGET_PID", 0);`
 */
export declare function param<T extends number>(name: string, defaultValue: T): T;

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────
/**
 * Writes a line to the kernel trace pipe (bpf_trace_printk); `tsbpf run` prints it with a
 * timestamp. The format is a string literal; `%d %i %u %x` (with `l`, `ll`, `h`, `hh` as in C)
 * and `%p` take integers, `%s` a `Str`, `%%` prints a percent sign.
 */
export declare function printk(format: string, ...args: (number | bigint | Str<number>)[]): void;

/** Process id (tgid) of the current task. */
export declare function pid(): u32;
/** Thread id of the current task. */
export declare function tid(): u32;
/** User id of the current task. */
export declare function uid(): u32;
/** Group id of the current task. */
export declare function gid(): u32;
/** Nanoseconds since boot (CLOCK_MONOTONIC). */
export declare function ktime(): u64;
/** The CPU this program runs on. */
export declare function cpu(): u32;
/** The current task's name (`comm`), as `ps` shows it. */
export declare function comm(): Str<16>;
