// Reads printk's lines from a trace_pipe: the one of a tracefs instance of this run's own
// (trace-instance.ts), or, where the kernel cannot give one, the global pipe, which has a single
// reader on the whole machine and is consumed by reading (lines left over from before are
// drained at open).

import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from "node:fs";
import { TsbpfError } from "../contract/errors.js";
import { atProcessEnd } from "./process-end.js";
import { TraceInstance } from "./trace-instance.js";
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
  private readonly instance: TraceInstance | undefined;
  private readonly forgetAtExit: () => void;

  constructor() {
    const tracefs = ensureTracefs();
    const made = TraceInstance.create(tracefs);
    let path: string;
    if (made instanceof TraceInstance) {
      this.instance = made;
      path = made.tracePipe;
    } else {
      path = `${tracefs}/trace_pipe`;
      process.stderr.write(`tsbpf: ${made.reason}; reading printk's lines from the global ${path}, which one process at a time can read\n`);
    }
    this.forgetAtExit = atProcessEnd(() => this.close());
    try {
      this.fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      this.close();
      if ((e as NodeJS.ErrnoException).code === "EBUSY") throw pipeTakenError(path);
      throw e;
    }
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

  /** Closes the pipe, then removes the instance (tracefs refuses while its pipe is open). */
  close(): void {
    this.forgetAtExit();
    this.closePipe();
    this.instance?.remove();
  }

  /** As close(), with the instance removed on libuv's threads (trace-instance.ts). */
  async closeAsync(): Promise<void> {
    this.closePipe();
    await this.instance?.removeAsync();
    this.forgetAtExit();
  }

  private closePipe(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function pipeTakenError(path: string): TsbpfError {
  const readers = readersOf(path);
  const who = readers.length ? readers.map((r) => `${r.comm} (pid ${r.pid})`).join(", ") : "another process";
  return new TsbpfError(`${path} is already being read by ${who}`, {
    subject: "trace_pipe",
    hint: `the kernel gives the global trace_pipe to one reader at a time: stop ${readers.length ? `it (kill ${readers.map((r) => r.pid).join(" ")})` : "that reader"} and run again`,
  });
}

/** The processes that have `path` open, found through /proc/<pid>/fd (as `fuser` does). */
function readersOf(path: string): { pid: number; comm: string }[] {
  const target = statSync(path);
  const readers: { pid: number; comm: string }[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      const holds = fds.some((fd) => {
        const link = `/proc/${pid}/fd/${fd}`;
        if (!readlinkSync(link).endsWith("trace_pipe")) return false;
        const s = statSync(link);
        return s.dev === target.dev && s.ino === target.ino;
      });
      if (holds) readers.push({ pid: Number(pid), comm: readFileSync(`/proc/${pid}/comm`, "utf8").trim() });
    } catch {
      // gone meanwhile, or not ours to look into
    }
  }
  return readers;
}
