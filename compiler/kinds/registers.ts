// Where a kprobe's `struct pt_regs` (its context) holds a function's arguments and result, on the
// machine that compiles the probe (process.arch: the probe runs on the kernel it compiles for).
// The offsets are the UAPI's layout of the registers, as libbpf's bpf_tracing.h reads them
// (PT_REGS_PARMn, PT_REGS_RC, and the _SYSCALL forms for a system call's own registers).

import { TsbpfError } from "../../contract/errors.js";
import { X86_64_PT_REGS } from "../../contract/pt-regs.js";

export interface ArchRegisters {
  /** As the kernel calls the architecture. */
  readonly name: string;
  /** Each argument register's byte offset in struct pt_regs, in the calling convention's order. */
  readonly args: readonly number[];
  /** The names of those registers, for messages. */
  readonly argNames: readonly string[];
  /** The return value's register. */
  readonly ret: number;
  /**
   * A system call's arguments in the user's registers, as the syscall wrapper's inner pt_regs
   * holds them: the fourth is in r10 on x86-64 (rcx is the return address after `syscall`), the
   * first in orig_x0 on arm64 (x0 is overwritten by the result).
   */
  readonly syscallArgs: readonly number[];
}

// struct pt_regs, arch/x86/include/uapi/asm/ptrace.h (64-bit): contract/pt-regs.ts.
const X86_ARGS = ["di", "si", "dx", "cx", "r8", "r9"];
const X86_64: ArchRegisters = {
  name: "x86_64",
  args: X86_ARGS.map((r) => X86_64_PT_REGS[r]),
  argNames: X86_ARGS,
  ret: X86_64_PT_REGS.ax,
  syscallArgs: ["di", "si", "dx", "r10", "r8", "r9"].map((r) => X86_64_PT_REGS[r]),
};

// struct pt_regs, arch/arm64/include/asm/ptrace.h: regs[31], sp, pc, pstate, then orig_x0 (at 272).
const ARM64: ArchRegisters = {
  name: "arm64",
  args: [0, 8, 16, 24, 32, 40, 48, 56],
  argNames: ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"],
  ret: 0,
  syscallArgs: [272, 8, 16, 24, 32, 40],
};

const BY_NODE_ARCH: Readonly<Record<string, ArchRegisters>> = { x64: X86_64, arm64: ARM64 };

/** The registers of `arch` (Node's name for it: process.arch). */
export function archRegisters(arch: string = process.arch): ArchRegisters {
  const regs = BY_NODE_ARCH[arch];
  if (!regs)
    throw new TsbpfError(`tsbpf cannot read a kernel function's arguments on ${arch}`, {
      subject: "kprobe",
      hint: "kprobes and ksyscalls know the registers of x86-64 and arm64; fentry and fexit read the arguments the same way everywhere",
    });
  return regs;
}
