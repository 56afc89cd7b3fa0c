// What `tsbpf run` prints goes straight to file descriptors 1 and 2. The first use of
// process.stderr builds Node's stream for it, which loads Node's net or tty modules and cost 5–6
// ms of each run's start-up (D82). And Node's stream for a pipe keeps what the reader has not
// taken yet in memory, without bound, and process.exit() drops it: events and lines are written
// with a blocking write instead, so that a slow reader holds the run back (the ring buffer fills
// and counts its drops, as with bpftrace or a C tool), memory stays flat and nothing written is
// lost at exit (D123). Lines keep their order with those written to the streams, which write
// at once where they can.
//
// Events and lines that stream out (stdoutSink, writeStdoutSoon) are gathered into writes of up
// to 64 KiB when stdout is a pipe or a file, as C's stdio buffers a piped stdout: at a million
// lines a second, a write per poll was a system call for every few lines, and each woke the
// reader. They wait at most FLUSH_MS; on a terminal each is written at once (D127).

import { fstatSync, writeSync } from "node:fs";
import type { ByteSink } from "./output/byte-sink.js";
import { BYTE_TEXT } from "./output/byte-text.js";

const GATHER_BYTES = 64 * 1024;
const FLUSH_MS = 20;
const PIPE_BYTES = 1 << 20;

export function writeStderr(text: string): void {
  writeTo(2, text);
}

/** Written now, after what writeStdoutSoon gathered: output keeps its order. */
export function writeStdout(text: string): void {
  flushStdout();
  writeTo(1, text);
}

/**
 * What streamed output gathers in, as UTF-8 bytes: event lines are written into it by their
 * writers (output/event-lines.ts), other text by writeStdoutSoon.
 */
class GatheredStdout implements ByteSink {
  bytes = Buffer.allocUnsafe(GATHER_BYTES);
  at = 0;
  private timer: NodeJS.Timeout | undefined;

  room(n: number): number {
    if (this.at + n > this.bytes.length) {
      this.flush();
      if (n > this.bytes.length) this.bytes = Buffer.allocUnsafe(n);
    }
    return this.at;
  }

  writeThrough(text: string): void {
    this.flush();
    writeTo(1, text);
  }

  /** After writers wrote: on a terminal at once, otherwise within FLUSH_MS. */
  written(): void {
    if ((stdoutIsTerminal ??= firstGather())) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.at) return;
    const bytes = this.bytes.subarray(0, this.at);
    this.at = 0;
    writeBytes(1, bytes);
  }
}

let gathered: GatheredStdout | undefined;
let stdoutIsTerminal: boolean | undefined;

/** Where `tsbpf run` writes streamed lines; call its written() after writing. */
export function stdoutSink(): ByteSink & { written(): void } {
  return (gathered ??= new GatheredStdout());
}

/** Streamed output: written within FLUSH_MS, in writes of up to 64 KiB (at once to a terminal). */
export function writeStdoutSoon(text: string): void {
  const sink = stdoutSink();
  sink.at = BYTE_TEXT.text(sink, sink.at, text, 0, false, 0);
  sink.written();
}

export function flushStdout(): void {
  gathered?.flush();
}

/**
 * Whether stdout is a terminal (or another character device: /dev/null takes writes at once
 * too; node:tty would load node:net to say). When it is not, what is gathered is also written as
 * the process exits.
 */
function firstGather(): boolean {
  let terminal = true;
  let pipe = false;
  try {
    const st = fstatSync(1);
    terminal = st.isCharacterDevice();
    pipe = st.isFIFO();
  } catch {
    // A closed stdout: each write reports it, as before.
  }
  if (!terminal) process.once("exit", flushStdout);
  if (pipe) widenPipe();
  return terminal;
}

/**
 * A pipe's reader that gets the CPU late (a `| grep` on a busy machine) holds a run back once
 * the pipe is full: 64 KiB, one gathered write. Up to 1 MiB (the limit an unprivileged process
 * may ask for, /proc/sys/fs/pipe-max-size) gives it 16 writes of slack before the run waits and
 * the kernel's buffer fills (D127). A refusal leaves the pipe as it was.
 */
function widenPipe(): void {
  const { libc, F_SETPIPE_SZ } = require("../native/libc.js") as typeof import("../native/libc.js");
  libc().fcntl(1, F_SETPIPE_SZ, PIPE_BYTES);
}

function writeTo(fd: 1 | 2, text: string): void {
  writeBytes(fd, Buffer.from(text));
}

function writeBytes(fd: 1 | 2, bytes: Buffer): void {
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch {
    // A non-blocking descriptor that is full (EAGAIN), a closed one: the stream writes the
    // rest, or reports the error, as it always did.
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
  }
}
