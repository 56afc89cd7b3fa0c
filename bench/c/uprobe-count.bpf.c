// The BPF side of bench/c/uprobe-count.c: what a C author writes for bpftrace's
// `uprobe:…:probed { @ = count(); }` and tsbpf's uprobe with a Count: a per-CPU counter bumped
// on every call. Built by clang -O2 -g -target bpf; libbpf attaches it (SEC("uprobe"): the
// loader names the binary and the function).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

SEC("uprobe")
int count(void *ctx) {
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&calls, &key);
	if (n) *n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
