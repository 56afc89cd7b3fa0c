// The C side of bench/uprobe-calls.ts: a libbpf loader as libbpf-bootstrap's are. It opens and
// loads uprobe-count.bpf.o, attaches its program to <function> of <binary> (libbpf finds the
// function's offset by name), prints "ready", waits for SIGINT or SIGTERM, then prints the calls
// counted on every CPU.
// Usage: uprobe-count <uprobe-count.bpf.o> <binary> <function>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: %s <uprobe-count.bpf.o> <binary> <function>\n", argv[0]);
		return 2;
	}
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot open or load %s\n", argv[1]);
		return 1;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "count");
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = argv[3]);
	struct bpf_link *link = prog ? bpf_program__attach_uprobe_opts(prog, -1, argv[2], 0, &opts) : NULL;
	if (!link) {
		fprintf(stderr, "cannot attach to %s:%s\n", argv[2], argv[3]);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	int sig;
	sigwait(&stop, &sig);
	int cpus = libbpf_num_possible_cpus();
	__u64 *per_cpu = calloc(cpus, sizeof(__u64)), total = 0;
	__u32 key = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "calls")), &key, per_cpu) == 0)
		for (int i = 0; i < cpus; i++) total += per_cpu[i];
	printf("calls: %llu\n", (unsigned long long)total);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
