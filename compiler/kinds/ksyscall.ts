// ksyscall(name, (a, b, …) => …): SEC("ksyscall/name"), and kretsyscall: a kprobe on the
// kernel's entry of a system call, as libbpf's BPF_KSYSCALL. That entry (`__x64_sys_openat`,
// `__arm64_sys_openat`: libbpf's attach finds the architecture's prefix) is a wrapper whose one
// argument is the user's registers, saved on entry to the kernel: the system call's arguments
// are read from there with bpf_probe_read_kernel, each from its register for system calls (not
// the function-call one: registers.ts). Every x86-64 kernel since 4.17 and arm64 since 4.19 has
// the wrappers (CONFIG_ARCH_HAS_SYSCALL_WRAPPER); tsbpf assumes them (decisions D147).

import { constInt } from "../ir/ir-module.js";
import { i32, i64, i8, ptrTo } from "../ir/ir-types.js";
import { Helper } from "../../contract/helper-ids.js";
import { FUNCTION_HELPERS, TRACING_HELPERS } from "./helper-sets.js";
import { argumentAs, checkArgumentParameters, contextWordAs, kernelFunctionTarget, type TargetRule } from "./kernel-function.js";
import type { ProgramKind } from "./program-kind.js";
import { archRegisters } from "./registers.js";

const rule = (kind: string): TargetRule => ({ kind, section: kind, what: "system call", name: /^[a-z0-9_]+$/, patterns: false, example: "openat" });

export const ksyscallKind: ProgramKind = {
  name: "ksyscall",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("ksyscall")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: {
    check: (p, handler, target) =>
      checkArgumentParameters(p, handler, target, {
        kind: "ksyscall",
        max: 6,
        tooMany: "a system call has at most six arguments",
        untypedHint: "declare its type, as the system call's manual page gives it: (dfd: i32, filename: UserPtr<u8>, flags: i32) => …",
      }),
    lower(l, context, index, type) {
      const regs = archRegisters();
      // The wrapper's first argument: the address of the user's saved registers.
      const userRegs = l.b.load(l.b.byteOffset(context, regs.args[0], i64), 8);
      const slot = l.fn.alloca(i64, 8);
      const from = l.b.binary("add", userRegs, constInt(i64, regs.syscallArgs[index]));
      l.b.callHelper(Helper.probeReadKernel, i64, [l.b.cast("bitcast", slot, ptrTo(i8)), constInt(i32, 8), from]);
      return argumentAs(l, l.b.load(slot, 8), type);
    },
  },
};

export const kretsyscallKind: ProgramKind = {
  name: "kretsyscall",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("kretsyscall")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: {
    check: (p, handler, target) =>
      checkArgumentParameters(p, handler, target, { kind: "kretsyscall", max: 1, tooMany: "the system call's return value", untypedHint: "declare its type, e.g. (ret: i64) => …" }),
    // The wrapper returns what the system call does, in the return register.
    lower: (l, context, _index, type) => contextWordAs(l, context, archRegisters().ret, type),
  },
};
