// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 401 mutant 1370 (scratch.ts, FixedArray<u64, 129>)
// class: died SIGABRT: error: FILE:N:N: in function … iN (ptr): A call to built-in function '…' is not supported.
// options: {}
import { tracepoint, printk, pid, u32, type u64, type FixedArray } from "tsbpf";
export const big = tracepoint("syscalls/sys_enter_syncfs", () => {
  const d: FixedArray<u64, 129> = [];
  d[u32(pid()) % 129] = 5;
  printk("%d", d[3]);
});
