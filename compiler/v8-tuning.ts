// V8's optimising compiler during the CLI's builds. A typical build is over before TurboFan's
// background compiles pay for themselves: they took a third of its CPU (D21). A large file is
// the opposite case: TypeScript's checker runs for seconds in the same few hot functions, and
// unoptimised it ran 3.5–5× slower (D33). So a build of a small file switches TurboFan off once
// TypeScript is loaded, and back on when it is done. Node itself starts with its default flags
// (D80): V8 rejects the code cache of Node's own modules under any other flags, and compiling
// them again cost every `tsbpf run` 30–40 ms. API users' processes keep their flags.

import { setFlagsFromString } from "node:v8";

/** From this source size on, a build runs long enough for TurboFan to pay off (bench/large-inputs.ts). */
export const OPTIMIZE_FROM_BYTES = 128 * 1024;

let switchedOff = false;

/** Flags set at run time and in effect now (part of the key of V8's code cache, which depends on them). */
export function runtimeV8Flags(): readonly string[] {
  return switchedOff ? ["--no-opt"] : [];
}

/**
 * Switches TurboFan off for the build of a source of `size` bytes, unless it is large or node
 * was started with a choice of its own. Call it after TypeScript is loaded: its code cache was
 * made under node's own flags, and V8 checks them as it reads the cache.
 */
export function tuneV8ForBuild(size: number): void {
  if (switchedOff || size >= OPTIMIZE_FROM_BYTES || process.execArgv.some((a) => /^--(no-)?(opt|turbofan)$/.test(a))) return;
  setFlagsFromString("--no-opt");
  switchedOff = true;
}

/**
 * Node's flags again, as it started: before V8's code cache for TypeScript is written (the next
 * process reads it under those flags) and before Node loads more of its own modules.
 */
export function restoreV8Flags(): void {
  if (!switchedOff) return;
  setFlagsFromString("--opt");
  switchedOff = false;
}
