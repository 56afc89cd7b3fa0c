// A ByteSink for tests of the byte writers (runtime/output/event-lines.ts, printf-writer.ts):
// it keeps what is written out, with room for `capacity` bytes — small, to write out mid-line.
import type { ByteSink } from "../../runtime/output/byte-sink.js";

export class KeptBytes implements ByteSink {
  at = 0;
  bytes: Buffer;
  private readonly out: Buffer[] = [];
  constructor(capacity: number) {
    this.bytes = Buffer.alloc(capacity);
  }
  room(n: number): number {
    if (this.at + n > this.bytes.length) {
      this.flush();
      if (n > this.bytes.length) this.bytes = Buffer.alloc(n);
    }
    return this.at;
  }
  writeThrough(text: string): void {
    this.flush();
    this.out.push(Buffer.from(text));
  }
  private flush(): void {
    this.out.push(Buffer.from(this.bytes.subarray(0, this.at)));
    this.at = 0;
  }
  /** What was written, as text. */
  text(): string {
    this.flush();
    return Buffer.concat(this.out).toString("utf8");
  }
  /** What was written, as lines (each with its newline). */
  lines(): string[] {
    return this.text().split(/(?<=\n)/);
  }
}
