// Structs, fixed arrays and strings in a probe: who called syncfs, gathered into one struct
// by a function, with the pid's decimal digits in a FixedArray, printed with %s.
// Run: tsbpf run examples/task-report.ts, then `sync --file-system /`.
import { tracepoint, printk, pid, tid, uid, comm, type u32, type Str, type FixedArray } from "tsbpf";

interface Task {
  pid: u32;
  tid: u32;
  uid: u32;
  name: Str<16>;
}

interface Report {
  task: Task;
  digits: FixedArray<u32, 8>; // least significant first
  count: u32;
}

function currentTask(): Task {
  return { pid: pid(), tid: tid(), uid: uid(), name: comm() };
}

function fillDigits(r: Report): void {
  let n: u32 = r.task.pid;
  for (let i: u32 = 0; i < 8; i++) {
    r.digits[i] = n % 10;
    n /= 10;
    if (n === 0) {
      r.count = i + 1;
      break;
    }
  }
}

export const report = tracepoint("syscalls/sys_enter_syncfs", () => {
  const r: Report = { task: currentTask(), digits: [], count: 0 };
  fillDigits(r);
  let sum: u32 = 0;
  for (const d of r.digits) sum += d;
  printk("%s pid %u (tid %u, uid %u): %u digits, first %u, last %u, sum %u", r.task.name, r.task.pid, r.task.tid, r.task.uid, r.count, r.digits[r.count - 1], r.digits[0], sum);
});
