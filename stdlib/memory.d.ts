// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

import type { Str } from "./aggregates.js";
import type { i64, u8, u32, u64 } from "./integers.js";

// ── Pointers ─────────────────────────────────────────────────────────────────────────────────
// Memory outside the program (the kernel's, or the current process's) is read through a helper
// that cannot fault: `readKernel(p)`, `readUser(p)`. A failed read gives zeroes.
declare const POINTEE: unique symbol;
declare const SPACE: unique symbol;
/**
 * The address of a T in kernel memory. When T is a kernel struct (`Ptr<task_struct>`, from
 * "tsbpf/kernel"), its fields read through the pointer: `task.real_parent.tgid` compiles to CO-RE
 * relocated reads, which find each field where the running kernel has it.
 */
export type Ptr<T> = { readonly [POINTEE]: T } & KernelSpace<T>;
/**
 * The address space, and a struct's fields readable through a pointer to it (nothing more for
 * integers, pointers and arrays). Apart from the pointee's part: an intersection that keeps two
 * parts keeps its name, Ptr<u8>, in errors and to the compiler.
 */
type KernelSpace<T> = { readonly [SPACE]: "kernel" } & (T extends number | boolean | string | void | { readonly [POINTEE]: unknown } | { readonly length: number } ? unknown : { readonly [F in keyof T]: T[F] });
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

// ── Kernel types that differ between kernels (CO-RE) ─────────────────────────────────────────
/**
 * Whether the running kernel has the field a kernel struct's field access names:
 * `fieldExists(task.loginuid)`. Relocated by libbpf at load, as bpf_core_field_exists; the access
 * is not read. Code under a false branch may name fields this kernel lacks.
 */
export declare function fieldExists(field: unknown): boolean;
/** The size of kernel type T on the running kernel, in bytes (bpf_core_type_size). */
export declare function typeSize<T>(): u32;
/**
 * Whether the running kernel's enum has this member (`enumValueExists(bpf_func_id.BPF_FUNC_loop)`,
 * a const enum of "tsbpf/kernel"), as bpf_core_enum_value_exists: relocated by libbpf at load.
 */
export declare function enumValueExists(member: number): boolean;
/** The member's value on the running kernel (bpf_core_enum_value); 0 where it has no such member. */
export declare function enumValue(member: number): i64;
