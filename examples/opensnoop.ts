// bcc's opensnoop, the tsbpf way: every openat(2) with who made it, the file, its flags and what
// it returned. The entry stashes the call's arguments by thread; the exit pairs them with the
// result and sends one typed event through a ring buffer, which `tsbpf run` prints as a table
// (or NDJSON with --json) and a Node program reads as objects (`probe.events("events")`).
// Run: tsbpf run examples/opensnoop.ts [--param TARGET_PID=1234], then open a file anywhere.
// The handlers' `ctx` are the tracepoints' records, typed from this kernel's tracefs format files.
import { comm, HashMap, i32, param, pid, readUserStr, RingBuf, tid, tracepoint, u32, type Str, type u8, type UserPtr } from "tsbpf";

/** 0: every process. */
const TARGET_PID = param<u32>("TARGET_PID", 0);

interface Pending {
  filename: UserPtr<u8>;
  flags: u32;
}

interface OpenEvent {
  pid: u32;
  comm: Str<16>;
  fd: i32;
  err: i32;
  flags: u32;
  path: Str<256>;
}

const pending = new HashMap<u32, Pending>(10240);
export const events = new RingBuf<OpenEvent>(256 * 1024);

export const enter = tracepoint("syscalls/sys_enter_openat", (ctx) => {
  if (TARGET_PID !== 0 && pid() !== TARGET_PID) return;
  pending.set(tid(), { filename: ctx.filename, flags: u32(ctx.flags) });
});

export const exit = tracepoint("syscalls/sys_exit_openat", (ctx) => {
  const call = pending.get(tid());
  if (call === undefined) return;
  const ok = ctx.ret >= 0;
  events.emit({
    pid: pid(),
    comm: comm(),
    fd: ok ? i32(ctx.ret) : -1,
    err: ok ? 0 : i32(-ctx.ret),
    flags: call.flags,
    path: readUserStr(call.filename, 256),
  });
  pending.delete(tid());
});
