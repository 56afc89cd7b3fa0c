// PerfEventArray<E>: events from a perf buffer per CPU (kernels before 5.8 have no ring buffer),
// through libbpf's perf_buffer: its epoll fd says when one has data, perf_buffer__consume reads
// them all and calls back, here on Node's thread, once per event (decoded at once: the memory is
// the kernel's again after the call) and once per loss the kernel reports.

import { sizeOf } from "../../contract/c-layout.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import koffi from "koffi";
import { errnoText, lastErrno, libbpf } from "../../native/libbpf.js";
import { PolledStream } from "./polled-stream.js";
import type { RecordFormat } from "./record-format.js";

/** Each CPU's buffer: 64 pages (256 KiB), bpftrace's default. */
const PAGES_PER_CPU = 64;

export class PerfBufferStream<T> extends PolledStream<T> {
  private readonly buffer: bigint;
  private readonly callbacks: unknown[];
  private ready: T[] = [];
  private lostCount = 0n;

  constructor(info: MapInfo, mapHandle: bigint, format: RecordFormat<T>) {
    const lib = libbpf();
    const size = sizeOf(info.value);
    const box: { stream?: PerfBufferStream<T> } = {};
    const sample = koffi.register((_ctx: unknown, _cpu: number, data: unknown, got: number) => {
      if (got >= size) box.stream!.ready.push(format.decode(new DataView(koffi.view(data, size))));
    }, koffi.pointer(lib.SampleFn));
    const lost = koffi.register((_ctx: unknown, _cpu: number, count: number | bigint) => {
      box.stream!.lostCount += BigInt(count);
    }, koffi.pointer(lib.LostFn));
    const buffer = lib.perfBufferNew(lib.mapFd(mapHandle), PAGES_PER_CPU, sample, lost, null, null);
    if (!buffer) {
      const errno = lastErrno();
      koffi.unregister(sample);
      koffi.unregister(lost);
      throw new TsbpfError(`cannot open the perf buffers of '${info.name}' (${errnoText(errno)})`, { subject: `map '${info.name}'`, hint: "each CPU needs 256 KiB of locked memory: check `ulimit -l`" });
    }
    super(info, lib.perfBufferEpollFd(buffer));
    box.stream = this;
    this.buffer = buffer;
    this.callbacks = [sample, lost];
  }

  /** The events the kernel could not write because a CPU's buffer was full. */
  get lost(): bigint {
    return this.lostCount;
  }

  poll(onBatch: (events: T[]) => void): number {
    if (this.closed) return 0;
    libbpf().perfBufferConsume(this.buffer);
    const batch = this.ready;
    if (!batch.length) return 0;
    this.ready = [];
    onBatch(batch);
    return batch.length;
  }

  protected release(): void {
    libbpf().perfBufferFree(this.buffer);
    for (const c of this.callbacks) koffi.unregister(c as never);
  }
}

export const perfEventArrayReader = <T>(info: MapInfo, handle: () => bigint, _handleOf: unknown, format: RecordFormat<T>): PerfBufferStream<T> => new PerfBufferStream(info, handle(), format);
