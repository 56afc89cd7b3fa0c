// Generated text as UTF-8 bytes in one buffer (D135): the 10 MB of a vmlinux's declarations
// gathered a few kilobytes at a time, so that the strings of each declaration die young and no
// 10 MB string is ever made (joined at the end, the pieces were promoted, then collected: a
// third of the time). Each write into the buffer is a call into Node's C++ (about a microsecond
// on a busy machine): 66,000 of them, one per declaration, cost 150 ms; one per 16 KB, 600 calls.

/** Text gathered before it is copied into the buffer. */
const FLUSH_AT = 16 * 1024;

export class TextBuffer {
  private bytes: Buffer;
  private used = 0;
  private pending = "";

  /** `ascii`: every string written will be ASCII (copied as latin1: the same bytes, faster than UTF-8's encoder). */
  constructor(
    capacity = 4096,
    private readonly ascii = false,
  ) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }

  write(s: string): void {
    this.pending += s;
    if (this.pending.length >= FLUSH_AT) this.flush(this.ascii ? "latin1" : "utf8");
  }

  /** A string that may not be ASCII (a file's path, in a header). */
  writeUtf8(s: string): void {
    this.write(s);
    this.flush("utf8");
  }

  /** What was written (a view: valid until the next write). */
  view(): Buffer {
    this.flush(this.ascii ? "latin1" : "utf8");
    return this.bytes.subarray(0, this.used);
  }

  toString(): string {
    return this.view().toString("utf8");
  }

  private flush(encoding: "latin1" | "utf8"): void {
    const s = this.pending;
    this.pending = "";
    if (this.used + 3 * s.length > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + 3 * s.length));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    this.used += this.bytes.write(s, this.used, encoding);
  }
}

/**
 * `s` made one piece now, where it was built of pieces (`Ptr<` + name + `>`): a text written
 * many times is then copied as one piece each time, not walked through its pieces again.
 * (V8 flattens a string in place the first time a character of it is read.)
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}
