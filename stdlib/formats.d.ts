// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { FixedArray } from "./aggregates.js";
import type { i32, i64, u8, u32, u64 } from "./integers.js";

// ── Formatted values ─────────────────────────────────────────────────────────────────────────
// Plain integers (and bytes) in the kernel, shown the way a person reads them in user space:
// `new Count<SyscallNr>()` prints `@bySyscall[openat]: 12` at exit, and the runtime decodes a
// map's key or an event's field of these types to the name. Any integer of the base width
// converts to one implicitly (`const nr: SyscallNr = u32(ctx.arg(1))`); two formats never mix.
declare const FORMAT: unique symbol;
type Shown<F extends string> = { readonly [FORMAT]?: F };

/**
 * A system call's number (a u32), shown as its name for the machine's architecture (x86-64,
 * arm64): `openat`. User space reads it as that string (a number it does not know as the
 * number's digits) and takes a name or a number as a key.
 */
export type SyscallNr = u32 & Shown<"syscall">;

/**
 * A system call's result, or a kernel function's (an i32): a negative value is an error number,
 * shown with its name, `-2 (ENOENT)`; others as they are. User space reads it as a number.
 */
export type Errno = i32 & Shown<"errno">;

/**
 * An IPv4 address as the kernel keeps it (a u32 in network byte order, e.g. `skc_daddr`), shown
 * and read in user space as `10.0.0.1`.
 */
export type Ipv4Addr = u32 & Shown<"ipv4">;

/** An IPv6 address (16 bytes, e.g. `skc_v6_daddr`), shown and read in user space as `fe80::1`. */
export type Ipv6Addr = FixedArray<u8, 16> & Shown<"ipv6">;

/**
 * An address in the kernel (a u64), shown as the kernel symbol it falls in, from /proc/kallsyms:
 * `vfs_read+0x12` (`vfs_read` at its start); in hex where no symbol holds it or the kernel
 * hides its addresses (kptr_restrict).
 */
export type KernelAddress = u64 & Shown<"ksym">;

/**
 * A kernel stack, as kstack() records it: an id (an i64) of the stack kept in the probe's stack
 * map, shown by user space as its frames, each a kernel symbol (`do_syscall_64+0x5c`), innermost
 * first: `tsbpf run` prints a map keyed by it as bpftrace prints `@[kstack]`. Negative: no stack
 * was recorded (the map was full, or the stack could not be walked).
 */
export type KernelStack = i64 & Shown<"kstack">;

/**
 * A user stack, as ustack() records it: the process's id (high 32 bits) and the id of the stack
 * kept in the probe's user stack map, shown as its frames, each a function of the binary or
 * library mapped there (`spin+0x14`), innermost first; a process that has exited by then shows
 * its frames' addresses and says so. Needs code built with frame pointers to walk far.
 */
export type UserStack = u64 & Shown<"ustack">;

/** The format a formatted type carries ("syscall" for SyscallNr, …); never for a plain type. The runtime's `Decoded` reads it. */
export type FormatOf<T> = T extends { readonly [FORMAT]?: infer F } ? (F extends string ? F : never) : never;
