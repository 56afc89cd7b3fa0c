// The C peer of tsbpf's ring buffer reader: loads the object `tsbpf build` wrote with libbpf and
// reads one RingBuf with ring_buffer__poll, each event read in place (every field touched, as
// a decoder would) and, with --print, printed as a line, as `tsbpf run` prints it. Says
// "Attached" on stderr once it reads; on SIGINT, prints {"received","lost","firstNs","lastNs"}
// on stderr (lost: the probe's per-CPU counter of failed reservations, `<map>.drops`).
// With --drain R: R times, fills the buffer with `fill` test runs of the object's program
// `produce` and times ring_buffer__consume() emptying it; prints {"events","ns"}.
//
// usage: consume <object.bpf.o> <ring buffer map> [--print | --drain <rounds> <fill>]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sample {
  uint64_t seq;
  uint64_t payload[7];
};

static volatile sig_atomic_t stop;
static long long received, first_ns, last_ns;
static uint64_t checksum;
static int print;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size) {
  const struct sample *s = data;
  if (size < sizeof *s) return 0;
  received++;
  if (print) {
    printf("%12llu [%llu,%llu,%llu,%llu,%llu,%llu,%llu]\n", (unsigned long long)s->seq, (unsigned long long)s->payload[0], (unsigned long long)s->payload[1],
           (unsigned long long)s->payload[2], (unsigned long long)s->payload[3], (unsigned long long)s->payload[4], (unsigned long long)s->payload[5],
           (unsigned long long)s->payload[6]);
  } else {
    uint64_t sum = s->seq;
    for (int i = 0; i < 7; i++) sum += s->payload[i];
    checksum += sum;
  }
  return 0;
}

static void on_signal(int sig) { (void)sig; stop = 1; }

static long long drops(struct bpf_object *obj, const char *ring) {
  char name[256];
  snprintf(name, sizeof name, "%s.drops", ring);
  struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
  if (!map) return -1;
  int cpus = libbpf_num_possible_cpus();
  uint64_t *values = calloc(cpus, sizeof *values);
  uint32_t key = 0;
  long long total = 0;
  if (bpf_map_lookup_elem(bpf_map__fd(map), &key, values) == 0)
    for (int i = 0; i < cpus; i++) total += values[i];
  free(values);
  return total;
}

/** Decoding speed alone: a full buffer emptied, again and again, with nothing else running. */
static int drain(struct bpf_object *obj, struct ring_buffer *rb, int rounds, int fill) {
  struct bpf_program *prog = bpf_object__find_program_by_name(obj, "produce");
  if (!prog) {
    fprintf(stderr, "consume: the object has no program 'produce'\n");
    return 1;
  }
  unsigned char packet[64] = {0};
  long long ns = 0;
  for (int r = 0; r < rounds; r++) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof packet, .repeat = fill);
    if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) < 0) return 1;
    long long t0 = now_ns();
    ring_buffer__consume(rb);
    ns += now_ns() - t0;
  }
  printf("{\"events\":%lld,\"ns\":%lld,\"checksum\":%llu}\n", received, ns, (unsigned long long)checksum);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: consume <object.bpf.o> <ring buffer map> [--print]\n");
    return 2;
  }
  print = argc > 3 && strcmp(argv[3], "--print") == 0;
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) {
    fprintf(stderr, "consume: cannot load %s\n", argv[1]);
    return 1;
  }
  struct bpf_map *map = bpf_object__find_map_by_name(obj, argv[2]);
  if (!map) {
    fprintf(stderr, "consume: %s has no map %s\n", argv[1], argv[2]);
    return 1;
  }
  struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(map), on_event, NULL, NULL);
  if (!rb) {
    fprintf(stderr, "consume: ring_buffer__new failed\n");
    return 1;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  if (argc > 5 && strcmp(argv[3], "--drain") == 0) return drain(obj, rb, atoi(argv[4]), atoi(argv[5]));
  fprintf(stderr, "Attached\n");
  while (!stop) {
    long long before = received;
    int n = ring_buffer__poll(rb, 1000);
    if (n < 0 && !stop) break;
    if (received > before) {
      last_ns = now_ns();
      if (!first_ns) first_ns = last_ns;
    }
  }
  fflush(stdout);
  fprintf(stderr, "{\"received\":%lld,\"lost\":%lld,\"firstNs\":%lld,\"lastNs\":%lld,\"checksum\":%llu}\n", received, drops(obj, argv[2]), first_ns, last_ns,
          (unsigned long long)checksum);
  ring_buffer__free(rb);
  bpf_object__close(obj);
  return 0;
}
