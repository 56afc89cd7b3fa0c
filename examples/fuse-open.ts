// The seed's FUSE probe, the tsbpf way: each open of a file on a FUSE filesystem, with who opened
// it and the file's name, read from the kernel's own structs (file → f_path → dentry → d_name)
// with CO-RE: no kernel headers, the same object on any kernel with BTF. The function was
// fuse_open_common until Linux 6.x renamed it fuse_open: the probe takes whichever the running
// kernel has, and its parameters are typed from that kernel's prototype.
// Run: tsbpf run examples/fuse-open.ts, then open a file under a FUSE mount (sshfs, rclone, …).
// Needs kprobes (CONFIG_KPROBES).
import { comm, kprobe, pid, printf, readKernelStr } from "tsbpf";

export const fuseOpen = kprobe(["fuse_open_common", "fuse_open"], (inode, file) => {
  printf("%-7d %-16s %s\n", pid(), comm(), readKernelStr(file.f_path.dentry.d_name.name, 256));
});
