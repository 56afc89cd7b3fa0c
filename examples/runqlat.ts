// bcc's runqlat, the tsbpf way: how long tasks wait on a CPU's run queue, from being woken to
// running, as a log2 histogram of microseconds. BTF tracepoints (tp_btf) hand the handlers the
// scheduler's own arguments, typed from the kernel's prototypes (`ctx.p`, `ctx.next`: task_struct
// pointers whose fields are read with CO-RE). Printed at exit as bpftrace prints hist().
// Run: tsbpf run examples/runqlat.ts [--duration 10]
import { HashMap, Histogram, ktime, tpBtf, u32, type u64 } from "tsbpf";

/** task_struct.__state (and prev_state) of a task that was running, not sleeping. */
const TASK_RUNNING = 0;

const queuedAt = new HashMap<u32, u64>(10240);
export const runQueueMicroseconds = new Histogram();

export const wakeup = tpBtf("sched_wakeup", (ctx) => {
  queuedAt.set(u32(ctx.p.pid), ktime());
});

export const wakeupNew = tpBtf("sched_wakeup_new", (ctx) => {
  queuedAt.set(u32(ctx.p.pid), ktime());
});

export const switched = tpBtf("sched_switch", (ctx) => {
  // A task switched out while still runnable goes straight back onto the queue.
  if (ctx.prev_state === TASK_RUNNING) queuedAt.set(u32(ctx.prev.pid), ktime());
  const pid = u32(ctx.next.pid);
  const queued = queuedAt.get(pid);
  if (queued === undefined) return;
  runQueueMicroseconds.record((ktime() - queued) / 1000);
  queuedAt.delete(pid);
});
