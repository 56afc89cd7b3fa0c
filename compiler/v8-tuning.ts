// V8's optimising compiler for a build of this size. The launcher starts node with --no-opt:
// a typical build is over before TurboFan's background compiles pay for themselves, and they
// took a third of its CPU (D21). A large file is the opposite case: TypeScript's checker runs
// for seconds to minutes in the same few hot functions, and unoptimised it ran 3.5–5× slower
// than plain node (issue 7). So optimisation comes back on for large inputs, before TypeScript
// is loaded (D33).

import { setFlagsFromString } from "node:v8";

/** From this source size on, a build runs long enough for TurboFan to pay off (bench/large-inputs.ts). */
export const OPTIMIZE_FROM_BYTES = 128 * 1024;

const changed: string[] = [];

/** Flags set at run time (part of the key of V8's code cache, which depends on them). */
export function runtimeV8Flags(): readonly string[] {
  return changed;
}

/** Turns V8's optimising compiler back on if a source of `size` bytes is worth it. */
export function tuneV8ForInput(size: number): void {
  if (!process.execArgv.includes("--no-opt") || changed.length || size < OPTIMIZE_FROM_BYTES) return;
  setFlagsFromString("--opt");
  changed.push("--opt");
}
