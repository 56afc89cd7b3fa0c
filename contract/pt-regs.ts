// struct pt_regs on x86-64 (arch/x86/include/uapi/asm/ptrace.h), as a kprobe's or uprobe's
// context holds the registers: each register's byte offset, by its 64-bit name without the `r`
// (the kernel's names). kprobes read arguments from it (compiler/kinds/registers.ts), USDT
// arguments name any register (runtime/attach/usdt-arguments.ts).

export const X86_64_PT_REGS: Readonly<Record<string, number>> = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  ax: 80, cx: 88, dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
};
