// The probe language at work: functions, bounded loops, a switch, C integer semantics.
// For each syncfs, facts about the calling process's pid: its decimal digits, their sum, the
// bits set, and whether it is prime.
// Run: tsbpf run examples/pid-facts.ts, then `sync --file-system /`.
import { tracepoint, printk, pid, type u32 } from "tsbpf";

// pids are below 2^22 (pid_max), so trial division needs divisors up to 2^11.
const MAX_DIVISOR = 2048;

function digits(n: u32): u32 {
  let count: u32 = 1;
  for (let i: u32 = 0; i < 10 && n >= 10; i++) {
    n /= 10;
    count++;
  }
  return count;
}

function digitSum(n: u32): u32 {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 10; i++) {
    sum += n % 10;
    n /= 10;
  }
  return sum;
}

function bitsSet(n: u32): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < 32; i++) count += (n >> i) & 1;
  return count;
}

function isPrime(n: u32): boolean {
  if (n < 2) return false;
  for (let d: u32 = 2; d < MAX_DIVISOR && d * d <= n; d++) {
    if (n % d === 0) return false;
  }
  return true;
}

function parity(n: u32): u32 {
  switch (bitsSet(n) % 2) {
    case 0:
      return 0;
    default:
      return 1;
  }
}

export const facts = tracepoint("syscalls/sys_enter_syncfs", () => {
  const p = pid();
  printk("pid %u: %u digits, digit sum %u, %u bits set (parity %u), prime %u", p, digits(p), digitSum(p), bitsSet(p), parity(p), isPrime(p) ? 1 : 0);
});
