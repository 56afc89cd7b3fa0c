// bcc's gethostlatency: how long each name lookup through libc's getaddrinfo() takes, by process
// and host. The entry keeps the host's name and the time by thread; the return sends one event.
// libc is named as the dynamic linker finds it ("libc" → /lib/x86_64-linux-gnu/libc.so.6).
// Run: tsbpf run examples/gethostlatency.ts, then e.g. `getent ahosts localhost`.
import { comm, HashMap, ktime, pid, readUserStr, RingBuf, tid, uprobe, uretprobe, type i32, type Str, type u32, type u64, type u8, type UserPtr } from "tsbpf";

interface Lookup {
  started: u64;
  host: Str<64>;
}

interface Latency {
  pid: u32;
  comm: Str<16>;
  ms: u64;
  us: u64;
  result: i32;
  host: Str<64>;
}

const pending = new HashMap<u32, Lookup>(10240);
export const lookups = new RingBuf<Latency>(64 * 1024);

// int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
export const enter = uprobe("libc:getaddrinfo", (node: UserPtr<u8>) => {
  pending.set(tid(), { started: ktime(), host: readUserStr(node, 64) });
});

export const leave = uretprobe("libc:getaddrinfo", (result: i32) => {
  const lookup = pending.get(tid());
  if (lookup === undefined) return;
  const us = (ktime() - lookup.started) / 1000;
  lookups.emit({ pid: pid(), comm: comm(), ms: us / 1000, us, result, host: lookup.host });
  pending.delete(tid());
});
