// How long read(2) takes, as a log2 histogram of microseconds (bpftrace's `@us = hist(...)`):
// the entry notes the time by thread, the exit records the difference. Printed at exit as
// bpftrace prints hist().
// Run: tsbpf run examples/readlatency.ts [--param TARGET_PID=1234] [--duration 10]
import { HashMap, Histogram, ktime, param, pid, tid, tracepoint, type u32, type u64 } from "tsbpf";

/** 0: every process. */
const TARGET_PID = param<u32>("TARGET_PID", 0);

const started = new HashMap<u32, u64>(10240);
export const readMicroseconds = new Histogram();

export const enter = tracepoint("syscalls/sys_enter_read", () => {
  if (TARGET_PID !== 0 && pid() !== TARGET_PID) return;
  started.set(tid(), ktime());
});

export const exit = tracepoint("syscalls/sys_exit_read", () => {
  const t = started.get(tid());
  if (t === undefined) return;
  readMicroseconds.record((ktime() - t) / 1000);
  started.delete(tid());
});
