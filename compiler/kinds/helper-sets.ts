// Which of tsbpf's helpers (by stdlib name) each kind of program may call: the kernel offers a
// helper to some program types only, and refuses the whole program at load time otherwise
// ("program of this type cannot use helper"). Knowing it here puts the error at the call.

/** Offered to every program type (the kernel's base set; the reads need CAP_PERFMON). */
export const BASE_HELPERS = ["printk", "ktime", "cpu", "readKernel", "readUser", "readKernelStr", "readUserStr"] as const;

/** About the task the program runs for: tracing programs only (a packet has no current task). */
export const TASK_HELPERS = ["pid", "tid", "uid", "gid", "comm"] as const;

/** Every helper some kind may be refused; calls to anything else (casts, kernelPtr) are always allowed. */
export const ALL_HELPERS: ReadonlySet<string> = new Set([...BASE_HELPERS, ...TASK_HELPERS]);

export const TRACING_HELPERS: ReadonlySet<string> = ALL_HELPERS;
export const NETWORK_HELPERS: ReadonlySet<string> = new Set(BASE_HELPERS);
