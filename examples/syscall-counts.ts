// bpftrace's syscount, the tsbpf way: every system call counted by name and by process name,
// from the raw sys_enter tracepoint (the syscall's number is its second argument; no record is
// formatted, which keeps a probe on every syscall cheap). The counts print when it stops, as
// bpftrace prints its maps; a SyscallNr key prints as the call's name (`@bySyscall[openat]: 12`).
// Run: tsbpf run examples/syscall-counts.ts --duration 5 [--top 10] [--param TARGET_PID=1234]
import { comm, Count, param, pid, rawTracepoint, u32, type Str, type SyscallNr } from "tsbpf";

/** 0: every process. */
const TARGET_PID = param<u32>("TARGET_PID", 0);

export const bySyscall = new Count<SyscallNr>();
export const byProcess = new Count<Str<16>>();
export const total = new Count();

export const enter = rawTracepoint("sys_enter", (ctx) => {
  if (TARGET_PID != 0 && pid() != TARGET_PID) return;
  bySyscall.increment(u32(ctx.arg(1)));
  byProcess.increment(comm());
  total.increment();
});
