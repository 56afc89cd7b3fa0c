// What a compile is asked and what it gives: the compile entry's types (compile.ts re-exports
// them), apart from it so that the compiler's process (snapshot/) can speak of them without
// importing the entry that starts it.

import type { CompiledObject } from "../contract/manifest.js";

/** The BPF instruction set versions (LLVM's -mcpu) a probe may be compiled for. */
export type BpfCpu = "v1" | "v2" | "v3";
/** v3 (Linux 5.1): 32-bit registers and jumps; atomic fetch-and-add on 5.12. */
export const DEFAULT_CPU: BpfCpu = "v3";

export interface CompileOptions {
  cpu?: BpfCpu;
  /**
   * How many parts LLVM optimises at once (compileAsync). By default a large file with several
   * programs is split in as many parts as there are cores (at most 4), a small one not at all.
   */
  parts?: number;
  /**
   * Reuse and store objects in the cache (default true); "refresh": build anew and replace
   * what is stored (an object libbpf could not open).
   */
  cache?: boolean | "refresh";
  /** Keep the LLVM IR text in the result (implies no cache read). */
  emitLLVM?: boolean;
  /**
   * The process is the CLI's own: V8's optimiser may be switched off while a small file builds
   * (compiler/v8-tuning.ts). Off by default: a program that compiles keeps its V8 flags.
   */
  tuneV8?: boolean;
  /**
   * Build in a process started from the compiler's start-up snapshot (TypeScript loaded, tsbpf's
   * declarations parsed), where this installation has one; make one after a build in this
   * process that found the caches warm. The CLI's builds (D156). "at-exit": make it only when
   * the caller says its work is done (`makePendingSnapshot`): `tsbpf run` attaches first (D199).
   */
  snapshot?: boolean | "at-exit";
}

/** The sum of phase times that were not overlapped by others (".bg" phases ran alongside). */
export function criticalPath(timings: Record<string, number>): number {
  return Object.entries(timings).reduce((a, [k, v]) => (k.endsWith(".bg") ? a : a + v), 0);
}

/** The manifest and object (contract/manifest.ts), and how this compile went. */
export interface CompileResult extends CompiledObject {
  file: string;
  ir?: string;
  cached: boolean;
  /** How many parts LLVM optimised at once (D20); absent for a cached object. */
  parts?: number;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

/**
 * The LLVM the compiler's process lowers for (D200): the one the CLI's process will load (its
 * pointers), and whether libbpf can link a module built in parts there.
 */
export interface LoweringTarget {
  opaquePointers: boolean;
  linkable: boolean;
}

/** Where the compiler's process sends what it lowered: each part of the IR as it is made (told how many there are), then the result but its object. */
export interface LoweredSink {
  /** The next of `of` parts. */
  part(ir: string, of: number): void;
  lowered(result: Omit<CompileResult, "object">): void;
}
