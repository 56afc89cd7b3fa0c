// bpftrace's syscount, the tsbpf way: every system call counted by number and by process name,
// from the raw sys_enter tracepoint (the syscall's number is its second argument; no record is
// formatted, which keeps a probe on every syscall cheap). The counts print when it stops, as
// bpftrace prints its maps.
// Run: tsbpf run examples/syscall-counts.ts --duration 5 [--param TARGET_PID=1234]
import { comm, Count, param, pid, rawTracepoint, type Str, type u32, type u64 } from "tsbpf";

/** 0: every process. */
const TARGET_PID = param<u32>("TARGET_PID", 0);

export const bySyscall = new Count<u64>();
export const byProcess = new Count<Str<16>>();
export const total = new Count();

export const enter = rawTracepoint("sys_enter", (ctx) => {
  if (TARGET_PID != 0 && pid() != TARGET_PID) return;
  bySyscall.increment(ctx.arg(1));
  byProcess.increment(comm());
  total.increment();
});
