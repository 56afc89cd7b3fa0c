// Reads printk's lines from tracefs's trace_pipe. The pipe is shared by every BPF program on
// the machine and consumed by reading, so lines left over from before are drained at open.

import { closeSync, constants, openSync, readSync } from "node:fs";
import { ensureTracefs } from "./tracefs.js";

export interface TraceLine {
  task: string;
  pid: number;
  cpu: number;
  /** Seconds, on the trace clock (since boot). */
  timestamp: number;
  message: string;
}

const LINE = /^\s*(.*)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+bpf_trace_printk:\s?(.*)$/;

export function parseTraceLine(raw: string): TraceLine | undefined {
  const m = LINE.exec(raw);
  if (!m) return undefined;
  return { task: m[1], pid: Number(m[2]), cpu: Number(m[3]), timestamp: Number(m[4]), message: m[5] };
}

const POLL_MS = 20;

export class TracePipe implements Disposable {
  private fd: number | undefined;
  private pending = "";
  private readonly buf = Buffer.alloc(64 * 1024);

  constructor() {
    const root = ensureTracefs();
    this.fd = openSync(`${root}/trace_pipe`, constants.O_RDONLY | constants.O_NONBLOCK);
    while (this.readChunk() > 0); // drain what other runs left behind
    this.pending = "";
  }

  /** Reads what is there now; 0 when nothing is. */
  private readChunk(): number {
    if (this.fd === undefined) return 0;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.pending += this.buf.toString("utf8", 0, n);
      return n;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") return 0;
      throw e;
    }
  }

  /** printk lines as they arrive, until `signal` aborts or the pipe is closed. */
  async *lines(signal?: AbortSignal): AsyncGenerator<TraceLine> {
    while (this.fd !== undefined && !signal?.aborted) {
      if (this.readChunk() === 0) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      const parts = this.pending.split("\n");
      this.pending = parts.pop() ?? "";
      for (const raw of parts) {
        const line = parseTraceLine(raw);
        if (line) yield line;
      }
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
