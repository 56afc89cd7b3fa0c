// tsbpf fuzz case (test/fuzz/README.md): test/fixtures/errors/type-error.ts, for seed 402 mutant 829 (a type error, then another compile)
// class: died on the second compile in one process
// options: {}
import { tracepoint, printk, pid, type u8 } from "tsbpf";

export const narrow = tracepoint("syscalls/sys_enter_syncfs", () => {
  const small: u8 = pid();
  printk("pid %d", small);
});
