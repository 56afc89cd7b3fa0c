// Reads a tool's output from stdin until EOF: counts event lines (those whose first non-blank
// character is a digit), passes the others (headers, "Lost N events") to stderr, and prints
// {"lines":…,"firstNs":…,"lastNs":…} on stdout: when the first and the last event line arrived
// (CLOCK_MONOTONIC, the clock of Node's process.hrtime).
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  static char buf[1 << 16], other[4096];
  long long lines = 0, first = 0, last = 0;
  int at_start = 1, in_other = 0;
  size_t other_len = 0;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    long long before = lines;
    for (ssize_t i = 0; i < n; i++) {
      char c = buf[i];
      if (at_start) {
        if (c == ' ') continue;
        at_start = 0;
        in_other = !(c >= '0' && c <= '9');
        if (!in_other) lines++;
      }
      if (in_other && other_len < sizeof other - 1) other[other_len++] = c;
      if (c == '\n') {
        at_start = 1;
        if (in_other) {
          fwrite(other, 1, other_len, stderr);
          other_len = 0;
        }
      }
    }
    if (lines > before) {
      last = now_ns();
      if (!first) first = last;
    }
  }
  printf("{\"lines\":%lld,\"firstNs\":%lld,\"lastNs\":%lld}\n", lines, first, last);
  return 0;
}
