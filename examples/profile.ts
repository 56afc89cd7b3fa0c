// bcc's profile, bpftrace's `profile:hz:49 { @[ustack] = count(); }`: what the CPUs run, sampled
// 49 times a second on every CPU, counted by user stack. `tsbpf run` prints each stack with its
// samples; `--folded` gives the lines flamegraph.pl and speedscope read, `--flamegraph out.svg` a
// flame graph to open in a browser. Code built without frame pointers shows short stacks.
// Run: tsbpf run examples/profile.ts --duration 10 [--param TARGET_PID=1234] --flamegraph profile.svg
import { Count, param, perfEvent, pid, ustack, type u32, type UserStack } from "tsbpf";

/** 0: every process. */
const TARGET_PID = param<u32>("TARGET_PID", 0);

export const samples = new Count<UserStack>();

export const sample = perfEvent({ type: "software", config: "cpu-clock", frequency: 49 }, () => {
  const p = pid();
  if (p === 0 || (TARGET_PID !== 0 && p !== TARGET_PID)) return; // 0: the CPU was idle
  samples.increment(ustack());
});
