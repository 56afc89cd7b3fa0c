// The notices ustack() sends of the user stacks new to the probe (compiler/lower/stack-traces.ts,
// D167), each a UserStack: read from their ring buffer every NOTICE_MS while the probe is
// attached, and whenever stacks are about to be shown, so that the process's mappings are read
// while it lives. A timer and not a wait on the buffer: a wait would keep Node's event loop alive
// for a program that never closes its probe, and a notice needs no answer within microseconds.

import { ownRingBuf, RingBufStream } from "./ring-buf.js";

/** How often the notices are read: a process that records a stack and exits sooner may be missed (its frames then say so). */
const NOTICE_MS = 10;

export class StackNotices {
  private readonly stream: RingBufStream<bigint>;
  private readonly timer: NodeJS.Timeout;

  constructor(name: string, handle: bigint, private readonly onNotice: (stack: bigint) => void) {
    this.stream = new RingBufStream<bigint>(ownRingBuf(name), handle, undefined, (data) => (offset) => data.getBigUint64(offset, true));
    this.timer = setInterval(() => this.read(), NOTICE_MS).unref();
  }

  /** Hands over the notices sent so far. */
  read(): void {
    this.stream.poll((stacks) => stacks.forEach(this.onNotice));
  }

  close(): void {
    clearInterval(this.timer);
    this.stream.close();
  }
}
