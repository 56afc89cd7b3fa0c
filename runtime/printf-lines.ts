// printf's lines: the records the probe's printf calls send through the ring buffer the compiler
// added (compiler/lower/printf.ts), each formatted by its call's format (output/printf-writer.ts,
// which leaves what it cannot write from the bytes to output/printf-format.ts): written as bytes
// into stdout's buffer by `tsbpf run`, or as strings for a program that reads them (D127). A
// record starts with its call's id.

import type { PrintfChannel, PrintfFormat } from "../contract/manifest.js";
import { dropsCounter, ownRingBuf, RingBufStream } from "./maps/ring-buf.js";
import type { RecordFormat } from "./maps/record-format.js";
import type { ByteSink } from "./output/byte-sink.js";
import { compilePrintfWriter } from "./output/printf-writer.js";

/** The stream of printf's records, each read as `format` says. */
export function printfStream<T>(channel: PrintfChannel, handleOf: (name: string) => bigint, format: RecordFormat<T | undefined>): RingBufStream<T> {
  const info = ownRingBuf(channel.map, channel.drops);
  return new RingBufStream<T>(info, handleOf(channel.map), dropsCounter(info, handleOf), format.readerOf);
}

/**
 * Each record as its line, a string: written as bytes by the same writer (D127), then read back
 * as UTF-8 with one call, which costs less than building the string from its pieces (64-bit
 * arguments as bigints, each piece a string).
 */
export function printfStrings(channel: PrintfChannel): RecordFormat<string | undefined> {
  const line = new LineBuffer();
  const bytes = printfInto(channel, line);
  const format: RecordFormat<string | undefined> = {
    readerOf: (data) => {
      const write = bytes.readerOf(data);
      return (offset) => {
        line.at = 0;
        return write(offset) === undefined ? undefined : line.bytes.toString("utf8", 0, line.at);
      };
    },
    decode: (record) => format.readerOf(record)(0),
  };
  return format;
}

/** A sink for one line at a time: it grows to the longest line and writes nothing out. */
class LineBuffer implements ByteSink {
  bytes = Buffer.allocUnsafe(4096);
  at = 0;

  room(n: number): number {
    if (this.at + n > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.at + n));
      this.bytes.copy(grown, 0, 0, this.at);
      this.bytes = grown;
    }
    return this.at;
  }

  writeThrough(text: string): void {
    this.room(Buffer.byteLength(text));
    this.at += this.bytes.write(text, this.at, "utf8");
  }
}

/** Each record's line written into `sink`; what the stream hands out for a record is 1, a line. */
export function printfInto(channel: PrintfChannel, sink: ByteSink): RecordFormat<number | undefined> {
  return byCall(channel, ({ format, record }) => {
    const writer = compilePrintfWriter(format, record);
    return (data) => writer(data, sink);
  });
}

/** A record read by the reader of its call's format. A record of an id this object does not have cannot come from it: skipped. */
function byCall<T>(channel: PrintfChannel, readerOf: (call: PrintfFormat) => (data: DataView) => (offset: number) => T): RecordFormat<T | undefined> {
  const calls = channel.formats.map(readerOf);
  const format: RecordFormat<T | undefined> = {
    readerOf: (data) => {
      const readers = calls.map((call) => call(data));
      return (offset) => readers[data.getUint32(offset, true)]?.(offset);
    },
    decode: (record) => format.readerOf(record)(0),
  };
  return format;
}
