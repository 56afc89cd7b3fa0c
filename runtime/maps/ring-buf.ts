// RingBuf<E>: events read straight from the kernel's ring buffer memory, mmap'd into the process
// (as libbpf's ring_buffer__poll reads it), decoded in batches by the event type's codec, with
// the wait for more on libuv's threads (epoll), so Node's event loop never blocks.
//
// The layout (kernel/bpf/ringbuf.c): page 0 holds the consumer's position (we write it), page 1
// the producer's; the data area follows, mapped twice in a row so that a record that wraps
// around the end reads as one. Each record: a u32 length with BUSY and DISCARD bits, 4 bytes
// the kernel uses, then the event; the next starts 8-aligned.

import type { CValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { errnoText, lastErrno, libbpf } from "../../native/libbpf.js";
import { libc, mapFailed, MAP_SHARED, memoryAt, PROT_READ, PROT_WRITE, type Mapping } from "../../native/libc.js";
import { BpfMap } from "./bpf-map.js";
import { PolledStream } from "./polled-stream.js";
import type { RecordFormat } from "./record-format.js";

const PAGE_SIZE = 4096;
const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const LENGTH_MASK = 0x3fffffff;
const HEADER = 8;
/**
 * A poll hands space back to the kernel each time it has read this part of the buffer, not only
 * at its end: a producer then never finds the buffer full because a batch is being decoded (D121).
 */
const RELEASE_PARTS = 16;
/**
 * Events per batch at most. A batch lives until its callback returns: one of a whole 1 MiB buffer
 * (14,000 objects) outlived V8's young-generation collections and was copied and promoted, which
 * doubled the CPU of some runs (D121).
 */
const MAX_BATCH = 1024;
/**
 * How long a reader lets events gather after a poll that found some (D127). Waiting on the file
 * instead, a reader that keeps up is woken for nearly every event: the kernel wakes it whenever
 * it has caught up, and each wake-up costs the producer and the reader more than the event.
 */
const PAUSE_MS = 1;
/** ... unless the producer's pace would fill more than this part of the buffer meanwhile: then it polls again at once. */
const PAUSE_FILL = 1 / 8;

/** Reads the event of the record at `offset` of the buffer it was made for; undefined to skip a record it does not know. */
export type RecordReader<T> = (offset: number) => T | undefined;

export class RingBufStream<T = CValue> extends PolledStream<T> {
  private readonly consumerPage: Mapping;
  private readonly dataPages: Mapping;
  /** The consumer's and producer's positions, as 64-bit integers (Atomics: read and written whole). */
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly headers: Int32Array;
  private readonly read: RecordReader<T>;
  private readonly size: number;
  private readonly releaseBytes: number;
  /** Bytes read since the last pause was decided, and when it was (performance.now()). */
  private bytesRead = 0;
  private pausedAt = 0;

  constructor(
    info: MapInfo,
    mapHandle: bigint,
    private readonly drops: BpfMap | undefined,
    /** Makes the reader of records in the buffer's data area, once. */
    readerOf: (data: DataView) => RecordReader<T>,
  ) {
    const fd = libbpf().mapFd(mapHandle);
    const size = libbpf().mapMaxEntries(mapHandle);
    // Mapped first: a failure leaves nothing to release.
    const c = libc();
    const consumerPage = c.mmap(null, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (mapFailed(consumerPage)) throw mmapFailure(info);
    const dataPages = c.mmap(null, PAGE_SIZE + 2 * size, PROT_READ, MAP_SHARED, fd, PAGE_SIZE);
    if (mapFailed(dataPages)) {
      const e = mmapFailure(info);
      c.munmap(consumerPage, PAGE_SIZE);
      throw e;
    }
    super(info, fd);
    this.size = size;
    this.releaseBytes = size / RELEASE_PARTS;
    this.consumerPage = consumerPage;
    this.dataPages = dataPages;
    this.consumer = new BigUint64Array(memoryAt(this.consumerPage, PAGE_SIZE), 0, 1);
    const dataMemory = memoryAt(this.dataPages, PAGE_SIZE + 2 * this.size);
    this.producer = new BigUint64Array(dataMemory, 0, 1);
    this.headers = new Int32Array(dataMemory, PAGE_SIZE);
    this.read = readerOf(new DataView(dataMemory, PAGE_SIZE));
  }


  /** The events the probe dropped because the buffer was full, on every CPU. */
  get lost(): bigint {
    if (!this.drops || this.closed) return 0n;
    return (this.drops.lookupPerCpu(0) ?? []).reduce<bigint>((a, v) => a + (v as bigint), 0n);
  }

  /**
   * Decodes the records published now and hands them to `onBatch`, in batches of up to MAX_BATCH;
   * how many. Each batch's space is the kernel's again before the batch is handed over.
   */
  poll(onBatch: (events: T[]) => void): number {
    if (this.closed) return 0;
    let batch: T[] = [];
    let handed = 0;
    // Positions count bytes since the map was made: exact as doubles for 2^53 bytes (years of events).
    let position = Number(Atomics.load(this.consumer, 0));
    const from = position;
    let released = position;
    const end = Number(Atomics.load(this.producer, 0));
    while (position < end) {
      const at = position % this.size;
      const header = Atomics.load(this.headers, at >> 2);
      if (header & BUSY) break; // reserved, not yet submitted: it and those after it wait
      const length = header & LENGTH_MASK;
      if (!(header & DISCARD)) {
        const event = this.read(at + HEADER);
        if (event !== undefined) batch.push(event);
      }
      position += (length + HEADER + 7) & ~7;
      // What is decoded is copied out: its space goes back while the rest is read.
      if (position - released >= this.releaseBytes || batch.length === MAX_BATCH) Atomics.store(this.consumer, 0, BigInt((released = position)));
      if (batch.length === MAX_BATCH) {
        handed += batch.length;
        onBatch(batch);
        if (this.closed) return handed; // closed by the callback: the memory is gone
        batch = [];
      }
    }
    this.bytesRead += position - from;
    if (position !== released) Atomics.store(this.consumer, 0, BigInt(position));
    if (batch.length) onBatch(batch);
    return handed + batch.length;
  }

  protected override pauseAfterEvents(): number {
    const now = performance.now();
    const bytesPerMs = this.bytesRead / Math.max(now - this.pausedAt, 0.001);
    this.bytesRead = 0;
    this.pausedAt = now;
    return bytesPerMs * PAUSE_MS <= this.size * PAUSE_FILL ? PAUSE_MS : 0;
  }

  protected release(): void {
    libc().munmap(this.consumerPage, PAGE_SIZE);
    libc().munmap(this.dataPages, PAGE_SIZE + 2 * this.size);
  }
}

function mmapFailure(info: MapInfo): TsbpfError {
  return new TsbpfError(`cannot map ring buffer '${info.name}' into memory (${errnoText(lastErrno())})`, { subject: `map '${info.name}'`, hint: "the process may be out of address space or over its locked-memory limit (ulimit -l)" });
}

/** The stream of a loaded RingBuf, its records read as `format` says; `handleOf` finds its drops counter. */
export function ringBufReader<T>(info: MapInfo, handle: () => bigint, handleOf: (name: string) => bigint, format: RecordFormat<T>): RingBufStream<T> {
  return new RingBufStream(info, handle(), dropsCounter(info, handleOf), format.readerOf);
}

/** A stream's counter of dropped events, if it has one. */
export function dropsCounter(stream: MapInfo, handleOf: (name: string) => bigint): BpfMap | undefined {
  if (!stream.drops) return undefined;
  const u32 = { kind: "int", bits: 32, signed: false } as const;
  const u64 = { kind: "int", bits: 64, signed: false } as const;
  return new BpfMap({ ...stream, name: stream.drops, kind: "PerCpuArrayMap", key: u32, value: u64, maxEntries: 1, exported: false, keyless: true }, () => handleOf(stream.drops!), true);
}
