// The seed's first probe: a line each time any process calls syncfs(2).
// Run: tsbpf run examples/hello-syncfs.ts, then `sync --file-system /` in another shell.
import { tracepoint, printk } from "tsbpf";

export const hello = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("syncfs called");
});
