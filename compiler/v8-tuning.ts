// V8's optimising compiler during the CLI's builds. A typical build is over before TurboFan's
// background compiles pay for themselves: they took a third of its CPU (D21). A large file is
// the opposite case: TypeScript's checker runs for seconds in the same few hot functions, and
// unoptimised it ran 3.5–5× slower (D33). So the CLI's build of a small file switches TurboFan
// off before TypeScript loads and back on when the build is done. Node itself starts with its
// default flags (D80): V8 rejects the code cache of Node's own modules under any other flags,
// and compiling them again cost every `tsbpf run` 15–40 ms. API users' processes keep their flags.

import { createHash } from "node:crypto";

/** From this source size on, a build runs long enough for TurboFan to pay off (bench/large-inputs.ts). */
export const OPTIMIZE_FROM_BYTES = 128 * 1024;

/** node:v8 when a flag is set: every run reads the flags key (codeCacheFlagsKey), few set one (1 ms of a cached run's start). */
const setFlagsFromString = (flags: string): void => (require("node:v8") as typeof import("node:v8")).setFlagsFromString(flags);

let switchedOff = false;

/** Flags set at run time and in effect now (part of the key of V8's code cache, which depends on them). */
export function runtimeV8Flags(): readonly string[] {
  return switchedOff ? ["--no-opt"] : [];
}

/**
 * A short key for the flags V8 checks a code cache against (it rejects one made under others):
 * Node's command-line options, less those that only name code to run (-e, -r, …), the flags set
 * since, and NODE_OPTIONS. Code caches are named with it, so that two ways of starting node do
 * not keep overwriting each other's.
 */
export function codeCacheFlagsKey(): string {
  const flags: string[] = [...runtimeV8Flags()];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    if (/^(-e|--eval|-p|--print|-r|--require|--import|--loader)$/.test(args[i])) i++;
    else if (!/^(--eval|--print|--require|--import|--loader)=/.test(args[i])) flags.push(args[i]);
  }
  return createHash("sha1").update(`${flags.join(" ")}|${process.env.NODE_OPTIONS ?? ""}`).digest("hex").slice(0, 8);
}

/**
 * Switches TurboFan off for the build of a source of `size` bytes, unless it is large or node
 * was started with a choice of its own. Call it before TypeScript is loaded: the loader keys
 * V8's code cache for it on the flags in effect (runtimeV8Flags), which V8 checks as it reads it.
 */
export function tuneV8ForBuild(size: number): void {
  if (switchedOff || size >= OPTIMIZE_FROM_BYTES || nodeStartedWithOptimiserChoice()) return;
  setFlagsFromString("--no-opt");
  switchedOff = true;
}

/**
 * Up to this source size, the compiler's process builds without Sparkplug: a larger file's check
 * runs long enough in the same functions for their baseline code to pay. Measured through the
 * CLI (D200), with against without: 260 against 312 ms at 1.7 kB, 312 against 335 at 3.3 kB, even
 * at 5.8 kB, 1,170 against 1,034 ms at 29 kB (1,000 lines).
 */
const BASELINE_FROM_BYTES = 8 * 1024;

/**
 * The compiler's process (snapshot/compile-server.ts) runs one build, and every function it calls
 * is compiled from source on its first call: Node makes a start-up snapshot without the code V8
 * had compiled. Sparkplug's baseline compiles, on the main thread, were a quarter of that
 * process's JavaScript time, for code that then runs a few times: hello's build took 67 against
 * 85 ms without them (D200). A larger file's build keeps them (BASELINE_FROM_BYTES). In a process
 * of its own: the flags are part of a code cache's key, and this one reads none and writes none.
 */
export function tuneV8ForCompilerProcess(size: number): void {
  if (size < BASELINE_FROM_BYTES && !nodeStartedWith(/^--(no-)?(always-)?sparkplug$/)) setFlagsFromString("--no-sparkplug");
}

const nodeStartedWithOptimiserChoice = (): boolean => nodeStartedWith(/^--(no-)?(opt|turbofan)$/);
const nodeStartedWith = (flag: RegExp): boolean => [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => flag.test(a));

/**
 * Node's flags again, as it started: after V8's code cache for TypeScript is written (under the
 * flags it was read under), so that Node's own modules load from their code cache again.
 */
export function restoreV8Flags(): void {
  if (switchedOff) setFlagsFromString("--opt");
  switchedOff = false;
}
