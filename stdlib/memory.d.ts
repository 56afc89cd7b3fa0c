// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { Str } from "./aggregates.js";
import type { u8, u64 } from "./integers.js";

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
