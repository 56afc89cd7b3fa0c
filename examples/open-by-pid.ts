// The seed's second program, the way it wanted to be: the files one process opens, printed with
// printf (formatted in user space: no trace pipe, no three-argument limit, the whole path).
// Run: tsbpf run examples/open-by-pid.ts --param TARGET_PID=1234
import { comm, param, pid, printf, readUserStr, tracepoint, type i32, type i64, type u64, type u8, type u32, type UserPtr } from "tsbpf";

const TARGET_PID = param<u32>("TARGET_PID", 0);

/** The record of syscalls/sys_enter_openat (its tracefs `format` file). */
interface OpenatEnter {
  common: u64;
  nr: i32;
  dfd: i64;
  filename: UserPtr<u8>;
  flags: i64;
  mode: u64;
}

export const onOpen = tracepoint<OpenatEnter>("syscalls/sys_enter_openat", (ctx) => {
  if (pid() !== TARGET_PID) return;
  printf("%-16s %6d %s (flags %#x)\n", comm(), pid(), readUserStr(ctx.filename, 256), ctx.flags);
});
