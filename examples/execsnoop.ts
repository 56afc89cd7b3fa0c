// bcc's execsnoop, the tsbpf way: every program started (execve) with its pid, its parent's pid,
// its user and what it runs. The parent's pid comes from the kernel's own task_struct,
// `currentTask().real_parent.tgid`: a CO-RE read that libbpf fixes at load to where the running
// kernel keeps the field, so this object runs on other kernels unchanged, with no kernel headers.
// Run: tsbpf run examples/execsnoop.ts [--param TARGET_PPID=1234], then start any program.
import { comm, currentTask, i32, param, pid, RingBuf, tracepoint, uid, type Str, type u32 } from "tsbpf";

/** 0: every parent. */
const TARGET_PPID = param<u32>("TARGET_PPID", 0);

interface ExecEvent {
  pid: u32;
  ppid: i32;
  uid: u32;
  comm: Str<16>;
  filename: Str<256>;
}

export const execs = new RingBuf<ExecEvent>(256 * 1024);

export const exec = tracepoint("sched/sched_process_exec", (ctx) => {
  const ppid = currentTask().real_parent.tgid;
  if (TARGET_PPID !== 0 && ppid !== i32(TARGET_PPID)) return;
  execs.emit({ pid: pid(), ppid, uid: uid(), comm: comm(), filename: ctx.str(ctx.filename, 256) });
});
