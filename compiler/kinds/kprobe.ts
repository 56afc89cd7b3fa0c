// kprobe(fn, (a, b, …) => …): SEC("kprobe/fn"); kretprobe(fn, (ret) => …): SEC("kretprobe/fn").
// The program's context is the probed task's registers (struct pt_regs); the handler's
// parameters are the function's arguments, read from the argument registers of the calling
// convention (registers.ts), or its return value. Attached by runtime/attach/kprobe.ts: a list
// of alternatives, the first the kernel has; a pattern, every function it matches.

import { FUNCTION_HELPERS, TRACING_HELPERS } from "./helper-sets.js";
import { argumentRegisters, KERNEL_SYMBOL, kernelFunctionTarget, returnRegister, type TargetRule } from "./kernel-function.js";
import type { ProgramKind } from "./program-kind.js";

const rule = (kind: string): TargetRule => ({ kind, section: kind, what: "kernel function", name: KERNEL_SYMBOL, patterns: true, example: "vfs_read" });

const UNTYPED = "declare its type, e.g. (file: Ptr<file>, count: u64) => …: the arguments of a function tsbpf has no prototype of are what the handler says";

export const kprobeKind: ProgramKind = {
  name: "kprobe",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("kprobe")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: argumentRegisters({ kind: "kprobe", untypedHint: UNTYPED }, "kprobe"),
};

export const kretprobeKind: ProgramKind = {
  name: "kretprobe",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("kretprobe")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: returnRegister({ kind: "kretprobe", untypedHint: "declare its type, e.g. (ret: i64) => …" }, "kprobe"),
};
