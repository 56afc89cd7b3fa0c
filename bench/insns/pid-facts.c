#include "common.h"
#define MAX_DIVISOR 2048
static __u32 digits(__u32 n) {
  __u32 count = 1;
  for (__u32 i = 0; i < 10 && n >= 10; i++) { n /= 10; count++; }
  return count;
}
static __u32 digitSum(__u32 n) {
  __u32 sum = 0;
  for (__u32 i = 0; i < 10; i++) { sum += n % 10; n /= 10; }
  return sum;
}
static __u32 bitsSet(__u32 n) {
  __u32 count = 0;
  for (__u32 i = 0; i < 32; i++) count += (n >> i) & 1;
  return count;
}
static _Bool isPrime(__u32 n) {
  if (n < 2) return 0;
  for (__u32 d = 2; d < MAX_DIVISOR && d * d <= n; d++) if (n % d == 0) return 0;
  return 1;
}
static __u32 parity(__u32 n) {
  switch (bitsSet(n) % 2) { case 0: return 0; default: return 1; }
}
SEC("tracepoint/syscalls/sys_enter_syncfs")
int facts(void *ctx) {
  __u32 p = bpf_get_current_pid_tgid() >> 32;
  static const char fmt[] = "pid %llu: %llu digits, digit sum %llu, %llu bits set (parity %llu), prime %lld\n";
  __u64 args[6] = { p, digits(p), digitSum(p), bitsSet(p), parity(p), (__s64)(isPrime(p) ? 1 : 0) };
  bpf_trace_vprintk(fmt, sizeof(fmt), args, sizeof(args));
  return 0;
}
