#include "common.h"
const volatile __u32 TARGET_PID = 0;
SEC("tracepoint/syscalls/sys_enter_syncfs")
int onSyncfs(void *ctx) {
  __u32 pid = bpf_get_current_pid_tgid() >> 32;
  if (TARGET_PID != 0 && pid != TARGET_PID) return 0;
  char comm[16] = {};
  bpf_get_current_comm(comm, sizeof(comm));
  static const char fmt[] = "syncfs by %s (pid %lld, uid %lld)\n";
  bpf_trace_printk(fmt, sizeof(fmt), comm, (__s64)(__s32)(bpf_get_current_pid_tgid() >> 32), (__s64)(__s32)(__u32)bpf_get_current_uid_gid());
  return 0;
}
