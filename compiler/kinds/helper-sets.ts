// Which of tsbpf's helpers (by stdlib name) each kind of program may call. A kind lists the
// sets it may use; a call outside them is refused at the call (frontend/program-helpers.ts),
// with the set's reason, instead of a verifier refusal of the whole program or a value that
// means nothing.

export interface HelperSet {
  readonly names: readonly string[];
  /** Why a kind without this set may not call its helpers, as the error says it. */
  readonly unavailable: string;
}

/** Offered to every program type (the kernel's base set; the reads need CAP_PERFMON). */
export const BASE_HELPERS: HelperSet = {
  names: ["printk", "printf", "ktime", "cpu", "readKernel", "readUser", "readKernelStr", "readUserStr"],
  unavailable: "",
};

/**
 * About the task the program runs for. Recent kernels offer them to every program type, but a
 * packet arrives in interrupt context, where the current task is whichever one the CPU happened
 * to interrupt: its ids and name would be silently wrong. Older kernels refuse them there.
 */
export const TASK_HELPERS: HelperSet = {
  names: ["pid", "tid", "uid", "gid", "comm", "cgroupId", "currentTask"],
  unavailable: "they describe the current task, and a packet is handled in interrupt context, where the current task is whichever one the CPU happened to interrupt",
};

/** About the kernel function a program probes (kprobe, kretprobe, ksyscall, fentry, fexit): bpf_get_func_ip. */
export const FUNCTION_HELPERS: HelperSet = {
  names: ["funcName", "probeName"],
  unavailable: "they name the kernel function a kprobe, kretprobe, ksyscall, fentry or fexit program probes (bpf_get_func_ip), and this program probes none",
};

/** The stacks of the moment: the kernel offers bpf_get_stack to tracing programs only. */
export const STACK_HELPERS: HelperSet = {
  names: ["kstack", "ustack"],
  unavailable: "the kernel walks stacks for tracing programs only (bpf_get_stack), and a packet is handled in interrupt context, where the stack is whatever the CPU was running",
};

/** Every helper some kind may be refused; calls to anything else (casts, kernelPtr) are always allowed. */
export const RESTRICTED_HELPERS: ReadonlyMap<string, HelperSet> = new Map([BASE_HELPERS, TASK_HELPERS, FUNCTION_HELPERS, STACK_HELPERS].flatMap((set) => set.names.map((n) => [n, set] as const)));

export const TRACING_HELPERS: readonly HelperSet[] = [BASE_HELPERS, TASK_HELPERS, STACK_HELPERS];
export const NETWORK_HELPERS: readonly HelperSet[] = [BASE_HELPERS];
