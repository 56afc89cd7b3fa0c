// The syscall benchmark's probe, typed events: one per getppid() of the watched process, sent
// through a RingBuf (the same fields as getppid-printf.ts prints and bench/events.ts's bpftrace
// program prints).
import { comm, ktime, param, pid, RingBuf, tid, tracepoint, type Str, type u32, type u64 } from "tsbpf";

const TARGET_PID = param<u32>("TARGET_PID", 0);

interface Call {
  pid: u32;
  tid: u32;
  comm: Str<16>;
  nsecs: u64;
}

export const calls = new RingBuf<Call>(4 * 1024 * 1024);

export const onGetppid = tracepoint("syscalls/sys_enter_getppid", () => {
  if (pid() !== TARGET_PID) return;
  calls.emit({ pid: pid(), tid: tid(), comm: comm(), nsecs: ktime() });
});
