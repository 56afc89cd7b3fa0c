// The seed's first probe: a line each time any process calls syncfs(2).
// Run: tsbpf run examples/hello-syncfs.ts, then `sync --file-system /` in another shell.
// printf's lines reach tsbpf through a ring buffer, as bpftrace's printf does;
// examples/hello-printk.ts writes the same line to the kernel's trace pipe instead.
import { tracepoint, printf } from "tsbpf";

export const hello = tracepoint("syscalls/sys_enter_syncfs", () => {
  printf("syncfs called\n");
});
