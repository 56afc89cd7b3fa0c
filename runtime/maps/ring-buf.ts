// RingBuf<E>: events read straight from the kernel's ring buffer memory, mmap'd into the process
// (as libbpf's ring_buffer__poll reads it), decoded in batches by the event type's codec, with
// the wait for more on libuv's threads (epoll), so Node's event loop never blocks.
//
// The layout (kernel/bpf/ringbuf.c): page 0 holds the consumer's position (we write it), page 1
// the producer's; the data area follows, mapped twice in a row so that a record that wraps
// around the end reads as one. Each record: a u32 length with BUSY and DISCARD bits, 4 bytes
// the kernel uses, then the event; the next starts 8-aligned.
//
// Published records are first copied out, as they are, into a backlog in the process's memory,
// and their space handed back to the kernel; they are decoded from there (D128). Copying is a
// memcpy; decoding takes a hundred times longer, and far longer while V8 has not yet compiled
// the decoder (the first 100 ms of a run read 1 MiB in 25–45 ms) or collects garbage: a burst
// then fills the backlog, not the kernel's buffer, and nothing is dropped.

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
/** The backlog holds this many times the kernel's buffer, within the bounds below. */
const BACKLOG_TIMES = 8;
const BACKLOG_MIN = 16 << 20;
const BACKLOG_MAX = 256 << 20;
/**
 * Events per batch at most. A batch lives until its callback returns: one of a whole 1 MiB buffer
 * (14,000 objects) outlived V8's young-generation collections and was copied and promoted, which
 * doubled the CPU of some runs (D121). Between batches, what the kernel published meanwhile is
 * copied out.
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

/** The bytes a record takes, its header included: the next starts 8-aligned. */
const recordBytes = (header: number): number => ((header & LENGTH_MASK) + HEADER + 7) & ~7;

/** Reads the event of the record at `offset` of the buffer it was made for; undefined to skip a record it does not know. */
export type RecordReader<T> = (offset: number) => T | undefined;

export class RingBufStream<T = CValue> extends PolledStream<T> {
  private readonly consumerPage: Mapping;
  private readonly dataPages: Mapping;
  /** The consumer's and producer's positions, as 64-bit integers (Atomics: read and written whole). */
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  /** The kernel's data area, twice: its record headers, and its bytes. */
  private readonly headers: Int32Array;
  private readonly ring: Uint8Array;
  private readonly size: number;
  /** Records copied out of the kernel's buffer and not yet decoded: those from `head` to `tail`. */
  private readonly backlog: Uint8Array;
  private readonly backlogHeaders: Int32Array;
  private head = 0;
  private tail = 0;
  private readonly read: RecordReader<T>;
  /** Bytes copied out since the last pause was decided, and when it was (performance.now()). */
  private bytesRead = 0;
  private pausedAt = 0;

  constructor(
    info: MapInfo,
    mapHandle: bigint,
    private readonly drops: BpfMap | undefined,
    /** Makes the reader of records in the backlog, once. */
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
    this.consumerPage = consumerPage;
    this.dataPages = dataPages;
    this.consumer = new BigUint64Array(memoryAt(this.consumerPage, PAGE_SIZE), 0, 1);
    const dataMemory = memoryAt(this.dataPages, PAGE_SIZE + 2 * this.size);
    this.producer = new BigUint64Array(dataMemory, 0, 1);
    this.headers = new Int32Array(dataMemory, PAGE_SIZE);
    this.ring = new Uint8Array(dataMemory, PAGE_SIZE);
    // Its pages are the system's until a burst first writes them: what stays resident is the most a run needed.
    const backlog = new ArrayBuffer(Math.min(Math.max(size * BACKLOG_TIMES, BACKLOG_MIN), BACKLOG_MAX));
    this.backlog = new Uint8Array(backlog);
    this.backlogHeaders = new Int32Array(backlog);
    this.read = readerOf(new DataView(backlog));
  }

  /** The events the probe dropped because the buffer was full, on every CPU. */
  get lost(): bigint {
    if (!this.drops || this.closed) return 0n;
    return (this.drops.lookupPerCpu(0) ?? []).reduce<bigint>((a, v) => a + (v as bigint), 0n);
  }

  /**
   * Decodes the records published now and hands them to `onBatch`, in batches of up to MAX_BATCH;
   * how many. Before each batch, what the kernel published meanwhile is copied out.
   */
  poll(onBatch: (events: T[]) => void): number {
    if (this.closed) return 0;
    this.copyOut();
    let batch: T[] = [];
    let handed = 0;
    while (this.head < this.tail) {
      const header = this.backlogHeaders[this.head >> 2];
      if (!(header & DISCARD)) {
        const event = this.read(this.head + HEADER);
        if (event !== undefined) batch.push(event);
      }
      this.head += recordBytes(header);
      if (batch.length === MAX_BATCH) {
        handed += batch.length;
        onBatch(batch);
        if (this.closed) return handed;
        batch = [];
        this.copyOut();
      }
    }
    this.head = this.tail = 0;
    if (batch.length) onBatch(batch);
    return handed + batch.length;
  }

  /**
   * Copies the records published so far, up to the backlog's room, to its tail, and hands their
   * space back to the kernel. A record still being written (BUSY) and those after it wait.
   */
  private copyOut(): void {
    const from = Number(Atomics.load(this.consumer, 0));
    const end = Number(Atomics.load(this.producer, 0));
    if (from === end) return;
    // Moved to the front only when what moves is no more than what was read since: each byte read
    // pays for at most one byte moved. (Moving the whole backlog whenever it was full made a
    // reader that falls behind move megabytes a poll: it ran at a quarter of its speed.)
    if (this.tail + (end - from) > this.backlog.length && this.head >= this.tail - this.head) {
      this.backlog.copyWithin(0, this.head, this.tail);
      this.tail -= this.head;
      this.head = 0;
    }
    const room = this.backlog.length - this.tail;
    // Positions count bytes since the map was made: exact as doubles for 2^53 bytes (years of events).
    let to = from;
    while (to < end) {
      const header = Atomics.load(this.headers, (to % this.size) >> 2);
      if (header & BUSY) break;
      const next = to + recordBytes(header);
      if (next - from > room) break;
      to = next;
    }
    if (to === from) return;
    const at = from % this.size;
    this.backlog.set(this.ring.subarray(at, at + (to - from)), this.tail);
    this.tail += to - from;
    this.bytesRead += to - from;
    Atomics.store(this.consumer, 0, BigInt(to));
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

/** What a reader needs to know of a ring buffer the compiler added (printf's, the user stacks' notices): its name and drops counter. */
export function ownRingBuf(name: string, drops?: string): MapInfo {
  const u32 = { kind: "int", bits: 32, signed: false } as const;
  return { name, kind: "RingBuf", key: u32, value: u32, maxEntries: 0, exported: false, keyless: true, drops, line: 1, column: 1 };
}

/** A stream's counter of dropped events, if it has one. */
export function dropsCounter(stream: MapInfo, handleOf: (name: string) => bigint): BpfMap | undefined {
  if (!stream.drops) return undefined;
  const u32 = { kind: "int", bits: 32, signed: false } as const;
  const u64 = { kind: "int", bits: 64, signed: false } as const;
  return new BpfMap({ ...stream, name: stream.drops, kind: "PerCpuArrayMap", key: u32, value: u64, maxEntries: 1, exported: false, keyless: true }, () => handleOf(stream.drops!), true);
}
