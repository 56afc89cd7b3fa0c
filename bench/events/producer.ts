// The ring buffer benchmark's producer: each BPF_PROG_TEST_RUN repetition of `produce` emits one
// 64-byte event (a sequence number and seven words) into a 1 MiB RingBuf, whether or not user
// space keeps up (a full buffer counts a drop). drive.c runs it; the consumers read `samples`.
// `idle` is attached and never runs: `tsbpf run` stays up only while something is attached, and
// an xdp program waits for a network interface.
import { ArrayMap, RingBuf, tracepoint, xdp, type FixedArray, type u64 } from "tsbpf";

interface Sample {
  seq: u64;
  payload: FixedArray<u64, 7>;
}

export const samples = new RingBuf<Sample>(1024 * 1024);
const next = new ArrayMap<u64>(1);

export const produce = xdp(() => {
  const seq = next.get(0);
  if (seq === undefined) return 2;
  next.add(0, 1);
  samples.emit({ seq: seq, payload: [seq, seq + 1, seq + 2, seq + 3, seq + 4, seq + 5, seq + 6] });
  return 2; // XDP_PASS
});

export const idle = tracepoint("syscalls/sys_enter_acct", () => {});
