// The C side of bench/map-entries.ts: every entry of a loaded map, read with libbpf's
// bpf_map_lookup_batch in the same loop the runtime uses (1 MiB of room a call, the batch
// position carried from call to call), then each entry visited (its first 8 value bytes added up,
// as a consumer would). Prints the median wall time of `rounds` whole-map reads, in microseconds.
// Usage: map-entries <map id> <rounds>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s <map id> <rounds>\n", argv[0]);
		return 2;
	}
	int fd = bpf_map_get_fd_by_id(atoi(argv[1]));
	if (fd < 0) {
		fprintf(stderr, "map %s: %s\n", argv[1], strerror(-fd));
		return 1;
	}
	struct bpf_map_info info = {0};
	__u32 info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		perror("bpf_obj_get_info_by_fd");
		return 1;
	}
	int percpu = info.type == BPF_MAP_TYPE_PERCPU_HASH || info.type == BPF_MAP_TYPE_PERCPU_ARRAY || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t value_bytes = percpu ? ((info.value_size + 7) & ~7u) * (size_t)libbpf_num_possible_cpus() : info.value_size;
	size_t room = (1 << 20) / (info.key_size + value_bytes);
	if (room > info.max_entries) room = info.max_entries;
	if (room < 1) room = 1;
	char *keys = malloc(room * info.key_size), *values = malloc(room * value_bytes);
	size_t token_size = info.key_size > 8 ? info.key_size : 8;
	char *from = calloc(1, token_size), *to = calloc(1, token_size);
	int rounds = atoi(argv[2]);
	double *times = calloc(rounds, sizeof(double));
	uint64_t sink = 0;
	size_t entries = 0;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_us();
		entries = 0;
		int first = 1;
		for (;;) {
			__u32 count = room;
			int err = bpf_map_lookup_batch(fd, first ? NULL : from, to, keys, values, &count, NULL);
			if (err < 0 && err != -ENOENT) {
				fprintf(stderr, "bpf_map_lookup_batch: %s\n", strerror(-err));
				return 1;
			}
			for (__u32 i = 0; i < count; i++) {
				uint64_t v;
				memcpy(&v, values + i * value_bytes, sizeof(v));
				sink += v;
			}
			entries += count;
			if (err == -ENOENT) break;
			char *t = from;
			from = to;
			to = t;
			first = 0;
		}
		times[r] = now_us() - t0;
	}
	qsort(times, rounds, sizeof(double), compare);
	printf("{\"medianUs\": %.1f, \"entries\": %zu, \"sink\": %llu}\n", times[rounds / 2], entries, (unsigned long long)sink);
	return 0;
}
