// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 401 mutant 4 (a program named with non-ASCII letters)
// class: internal Error: internal compiler error: LLVM could not parse the generated IR: FILE:N:N: error: expected value token @ index.js
// options: {}
import { tracepoint, printk } from "tsbpf";
export const 变量 = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("hi");
});
