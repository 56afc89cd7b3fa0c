// hello-syncfs.ts the seed's way (bcc's): printk writes the line to the kernel's trace pipe,
// which `tsbpf run` reads through a tracefs instance of its own and prints with the time.
// Run: tsbpf run examples/hello-printk.ts, then `sync --file-system /` in another shell.
import { tracepoint, printk } from "tsbpf";

export const hello = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("syncfs called");
});
