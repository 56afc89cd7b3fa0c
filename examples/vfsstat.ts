// bcc's vfsstat, from the system-call side: how many reads, writes, opens, creates and fsyncs
// happen each second, machine-wide.
// Run: tsbpf run examples/vfsstat.ts --interval 1 --clear
import { Count, tracepoint } from "tsbpf";

export const read = new Count();
export const write = new Count();
export const open = new Count();
export const create = new Count();
export const fsync = new Count();

export const onRead = tracepoint("syscalls/sys_enter_read", () => read.increment());
export const onWrite = tracepoint("syscalls/sys_enter_write", () => write.increment());
export const onOpen = tracepoint("syscalls/sys_enter_openat", () => open.increment());
export const onCreate = tracepoint("syscalls/sys_enter_creat", () => create.increment());
export const onFsync = tracepoint("syscalls/sys_enter_fsync", () => fsync.increment());
