#include "common.h"
SEC("tracepoint/syscalls/sys_enter_syncfs")
int hello(void *ctx) {
  static const char fmt[] = "syncfs called\n";
  bpf_trace_printk(fmt, sizeof(fmt));
  return 0;
}
