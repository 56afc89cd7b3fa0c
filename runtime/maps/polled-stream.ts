// What every stream of events shares (RingBuf's, PerfEventArray's): hand over what is ready with
// poll(), and wait for more on a file that epoll says is readable, off Node's event loop.

import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { errnoText, lastErrno } from "../../native/libbpf.js";
import { ReadableWait } from "../../native/libc.js";
import type { EventStream } from "./map-reader.js";

/** How long a wait lasts before it is renewed: bounds nothing a user sees (close() and aborts wake it). */
const WAIT_MS = 1000;

export abstract class PolledStream<T> implements EventStream<T> {
  protected closed = false;
  private readonly wait: ReadableWait;

  /** `readableFd`: a file that polls readable when events are ready. */
  constructor(
    readonly info: MapInfo,
    readableFd: number,
  ) {
    this.wait = new ReadableWait(readableFd);
  }

  abstract get lost(): bigint;
  abstract poll(onBatch: (events: T[]) => void): number;

  /**
   * After a poll that handed events over, how long to let more gather before the next (ms; 0:
   * poll again at once, and wait on the file when nothing is left).
   */
  protected pauseAfterEvents(): number {
    return 0;
  }

  async consume(onBatch: (events: T[]) => void, signal?: AbortSignal): Promise<void> {
    const stop = () => this.wait.wake();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      while (!this.closed && !signal?.aborted) {
        if (!this.poll(onBatch)) await this.waitForMore();
        else await this.pause();
      }
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (!this.closed) {
      // A poll may hand over several batches.
      const ready: T[][] = [];
      if (!this.poll((events) => ready.push(events))) {
        await this.waitForMore();
        continue;
      }
      for (const batch of ready) for (const e of batch) yield e;
      await this.pause();
    }
  }

  private async pause(): Promise<void> {
    const ms = this.pauseAfterEvents();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private async waitForMore(): Promise<void> {
    if (!(await this.wait.wait(WAIT_MS)) && !this.closed)
      throw new TsbpfError(`cannot wait for events of '${this.info.name}' (${errnoText(lastErrno())})`, { subject: `map '${this.info.name}'` });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wait.close();
    this.release();
  }

  /** Frees what the stream reads from; called once, by close(). */
  protected abstract release(): void;
}
