// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 201 mutant 639 (scratch.ts, FixedArray<u64, 64>)
// class: died SIGABRT: error: FILE:N:N: in function … iN (ptr): Looks like the BPF stack limit of N bytes is exceeded. Please move large on sta
// options: {}
import { tracepoint, printk, pid, u32, type u64, type FixedArray } from "tsbpf";
export const tp = tracepoint("syscalls/sys_enter_syncfs", () => {
  const d: FixedArray<u64, 64> = [];
  d[u32(pid()) % 64] = 5;
  printk("%d", d[3]);
});
