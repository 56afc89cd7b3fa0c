// Reads a tool's output from stdin until EOF: counts event lines (those whose first non-blank
// character is a digit), passes the others (headers, "Lost N events") to stderr, and prints
// {"lines":…,"firstNs":…,"lastNs":…} on stdout: when the first and the last event line arrived
// (CLOCK_MONOTONIC, the clock of Node's process.hrtime). Lines are found with memchr: the
// counter must read faster than any tool writes (a byte-by-byte loop held a C printer back).
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char buf[1 << 20];

int main(void) {
  long long lines = 0, first = 0, last = 0;
  size_t kept = 0; // bytes of an unfinished line at the start of buf
  ssize_t n;
  while ((n = read(0, buf + kept, sizeof buf - kept)) > 0) {
    long long before = lines;
    char *p = buf, *end = buf + kept + n;
    for (char *nl; (nl = memchr(p, '\n', end - p)); p = nl + 1) {
      char *c = p;
      while (c < nl && *c == ' ') c++;
      if (c < nl && *c >= '0' && *c <= '9') lines++;
      else fwrite(p, 1, nl + 1 - p, stderr);
    }
    kept = end - p;
    if (kept == sizeof buf) kept = 0; // a line longer than the buffer: not an event line
    memmove(buf, p, kept);
    if (lines > before) {
      last = now_ns();
      if (!first) first = last;
    }
  }
  printf("{\"lines\":%lld,\"firstNs\":%lld,\"lastNs\":%lld}\n", lines, first, last);
  return 0;
}
