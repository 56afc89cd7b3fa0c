// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { Ptr } from "./memory.js";
import type { KernelStack, UserStack } from "./formats.js";
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
/**
 * The id of the current task's cgroup (v2): the inode number of its directory under the cgroup2
 * mount (`stat -c %i /sys/fs/cgroup/<path>`, the path from /proc/<pid>/cgroup's `0::` line), as
 * bpftrace's `cgroup` and bcc's `--cgroupmap` filter on. Linux 4.18.
 */
export declare function cgroupId(): u64;

/**
 * The kernel stack where the program runs now, recorded in the probe's stack map (bpftrace's
 * `kstack`): count by it (`new Count<KernelStack>()`, `c.increment(kstack())`) and `tsbpf run`
 * prints each stack's frames. Called in a program's handler.
 */
export declare function kstack(): KernelStack;

/**
 * The user stack of the current process where the program runs now (bpftrace's `ustack`),
 * recorded in the probe's user stack map: `new Count<UserStack>()`, `c.increment(ustack())`, and
 * `tsbpf run` prints each stack's functions (`--folded`, `--flamegraph out.svg` for a profile).
 */
export declare function ustack(): UserStack;

/**
 * The kernel's types a probe's compile adds to (declare module "tsbpf"): task_struct, from the
 * running kernel's BTF, as `tsbpf types` writes it and as a probe that calls currentTask() gets.
 */
export interface KernelTypes {}
/**
 * The current task (bpf_get_current_task): its fields read through the pointer with CO-RE,
 * `currentTask().real_parent.tgid` (the parent's pid), as bpftrace's `curtask`.
 */
export declare function currentTask(): Ptr<KernelTypes extends { task_struct: infer T } ? T : never>;

/**
 * Prints a line the way bpftrace's printf does: the probe sends the arguments, and `tsbpf run`
 * (or the runtime's `probe.printf()`) formats them in user space. The format is a string literal
 * with C's conversions (`%d %i %u %x %X %o %c %p`, flags, width and precision: `%-16s`, `%08x`),
 * `%s` for a Str of any length; up to 32 arguments. Nothing is added: end the line with `\n`.
 * Unlike printk, no trace pipe is involved, so two probes running at once never mix their lines.
 */
export declare function printf(format: string, ...args: (number | bigint | boolean | Str<number>)[]): void;
