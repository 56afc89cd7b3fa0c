// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { Str } from "./aggregates.js";
import type { u32, u64 } from "./integers.js";

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
