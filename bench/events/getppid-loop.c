// The load of the syscall benchmark: N getppid() calls in a tight loop, each one event for the
// tools that watch this process. Says "ready" and waits for a line on stdin (the tool attaches
// meanwhile), then prints {"startNs":…,"endNs":…,"calls":N} (CLOCK_MONOTONIC).
//
// usage: getppid-loop <calls>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
  long long calls = argc > 1 ? atoll(argv[1]) : 1000000;
  printf("ready\n");
  fflush(stdout);
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return 1;
  long long start = now_ns();
  for (long long i = 0; i < calls; i++) syscall(SYS_getppid); // the raw syscall: never answered by libc
  printf("{\"startNs\":%lld,\"endNs\":%lld,\"calls\":%lld}\n", start, now_ns(), calls);
  return 0;
}
