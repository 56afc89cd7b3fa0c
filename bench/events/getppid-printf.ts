// The syscall benchmark's probe, printf: one line per getppid() of the watched process, as
// bench/events.ts's bpftrace program prints it.
import { comm, ktime, param, pid, printf, tid, tracepoint, type u32 } from "tsbpf";

const TARGET_PID = param<u32>("TARGET_PID", 0);

export const onGetppid = tracepoint("syscalls/sys_enter_getppid", () => {
  if (pid() !== TARGET_PID) return;
  printf("%d %d %s %llu\n", pid(), tid(), comm(), ktime());
});
