// The seed's second program, the way it wanted to be: the files one process opens, printed with
// printf (formatted in user space: no trace pipe, no three-argument limit, the whole path).
// Run: tsbpf run examples/open-by-pid.ts --param TARGET_PID=1234
// `ctx` is openat's record, typed from this kernel's tracefs format file: ctx.filename is a
// UserPtr<u8>, ctx.flags an i32.
import { comm, param, pid, printf, readUserStr, tracepoint, type u32 } from "tsbpf";

const TARGET_PID = param<u32>("TARGET_PID", 0);

export const onOpen = tracepoint("syscalls/sys_enter_openat", (ctx) => {
  if (pid() !== TARGET_PID) return;
  printf("%-16s %6d %s (flags %#x)\n", comm(), pid(), readUserStr(ctx.filename, 256), ctx.flags);
});
