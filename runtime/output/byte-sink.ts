// What streamed output is written into as bytes (event-lines.ts writes, stderr.ts's stdout
// buffer holds): its own file, so that the writer and the buffer need not import each other.

/** Where lines are written: a buffer and the end of what is in it. */
export interface ByteSink {
  /** Replaced only while empty (by room()): a writer reads it after room(). */
  bytes: Buffer;
  at: number;
  /** Room for `n` more bytes after `at`, writing out what is there first if it must; the new `at`. */
  room(n: number): number;
  /** Writes out what is there and then `text`, for a text longer than the buffer. */
  writeThrough(text: string): void;
}
