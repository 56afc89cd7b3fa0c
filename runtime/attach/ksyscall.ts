// ksyscall/<name> and kretsyscall/<name>: attached with bpf_program__attach_ksyscall, which finds
// the architecture's entry of the system call (`__x64_sys_openat`, or `sys_openat` on kernels
// without syscall wrappers). The system calls this kernel has are its `sys_` entries in kallsyms.

import { KSYSCALL_OPTS_SIZE, libbpf } from "../../native/libbpf.js";
import { probeableFunctions, type FunctionNames } from "./kernel-functions.js";
import { attachKernelProbe, type KernelProbe } from "./kprobe.js";
import type { ProgramAttacher } from "./program-attacher.js";

let syscalls: FunctionNames | undefined;

/** The system calls, by name, from the kernel's entries (`__x64_sys_openat` → `openat`). */
function systemCalls(): FunctionNames {
  if (syscalls) return syscalls;
  const functions = probeableFunctions();
  const names = new Set<string>();
  for (const f of functions.names) {
    const m = /^(?:__x64_|__arm64_|__riscv_|__s390x_)?sys_(\w+)$/.exec(f);
    if (m) names.add(m[1]);
  }
  return (syscalls = { names, source: `${functions.source} (their sys_ entries)` });
}

const ksyscall = (retprobe: boolean): KernelProbe => ({
  what: "system call",
  known: systemCalls,
  attachOne: (p, name) => libbpf().attachKsyscall(p.handle, name, { sz: KSYSCALL_OPTS_SIZE, bpf_cookie: 0n, retprobe }),
});

export const ksyscallAttacher: ProgramAttacher = { kind: "ksyscall", attach: (p, file) => attachKernelProbe(p, file, ksyscall(false)) };
export const kretsyscallAttacher: ProgramAttacher = { kind: "kretsyscall", attach: (p, file) => attachKernelProbe(p, file, ksyscall(true)) };
