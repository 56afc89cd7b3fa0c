// The seed's second probe: report a system call only for the process you are watching.
// Run: tsbpf run examples/pid-filter.ts --param TARGET_PID=$$   (0, the default, watches all)
// then `sync --file-system /` from that shell.
import { tracepoint, printk, pid, uid, comm, param, type u32 } from "tsbpf";

const TARGET_PID = param<u32>("TARGET_PID", 0);

export const onSyncfs = tracepoint("syscalls/sys_enter_syncfs", () => {
  if (TARGET_PID !== 0 && pid() !== TARGET_PID) return;
  printk("syncfs by %s (pid %d, uid %d)", comm(), pid(), uid());
});
