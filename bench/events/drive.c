// The producer's engine: runs the xdp program of another process (a consumer that loaded it)
// with BPF_PROG_TEST_RUN, `repeat` runs per call, until it has run `events` times, so that the
// consumer reads while the kernel produces. The program is found through /proc/<pid>/fdinfo (the
// consumer may be tsbpf run, a Node program or the C consumer: each holds its program's fd).
// Prints {"startNs":…,"endNs":…,"runs":…} (CLOCK_MONOTONIC, as Node's process.hrtime) on stdout.
//
// usage: drive <consumer pid> <events> [repeat per call]
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/** The fd (ours) of the one xdp program `pid` holds, or -1. */
static int find_xdp_program(int pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fdinfo", pid);
  DIR *dir = opendir(path);
  if (!dir) return -1;
  int found = -1;
  struct dirent *e;
  while (found < 0 && (e = readdir(dir))) {
    char file[320], line[128];
    snprintf(file, sizeof file, "%s/%s", path, e->d_name);
    FILE *f = fopen(file, "r");
    if (!f) continue;
    unsigned id = 0, type = 0;
    int is_prog = 0;
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "prog_type: %u", &type) == 1) is_prog = 1;
      sscanf(line, "prog_id: %u", &id);
    }
    fclose(f);
    if (is_prog && type == BPF_PROG_TYPE_XDP && id) found = bpf_prog_get_fd_by_id(id);
  }
  closedir(dir);
  return found;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: drive <consumer pid> <events> [repeat per call]\n");
    return 2;
  }
  int pid = atoi(argv[1]);
  long long events = atoll(argv[2]);
  unsigned repeat = argc > 3 ? (unsigned)atoi(argv[3]) : 100000;
  int fd = find_xdp_program(pid);
  if (fd < 0) {
    fprintf(stderr, "drive: process %d holds no xdp program\n", pid);
    return 1;
  }
  unsigned char packet[64] = {0};
  long long start = now_ns(), runs = 0;
  while (runs < events) {
    unsigned n = events - runs < repeat ? (unsigned)(events - runs) : repeat;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet, .repeat = n);
    if (bpf_prog_test_run_opts(fd, &opts) < 0) {
      fprintf(stderr, "drive: test run failed: %s\n", strerror(errno));
      return 1;
    }
    runs += n;
  }
  printf("{\"startNs\":%lld,\"endNs\":%lld,\"runs\":%lld}\n", start, now_ns(), runs);
  return 0;
}
