// printf's lines: the records the probe's printf calls send through the ring buffer the compiler
// added (compiler/lower/printf.ts), each formatted by its call's format: as strings
// (output/printf-format.ts) for a program that reads them, or written as bytes into stdout's
// buffer (output/printf-writer.ts) by `tsbpf run` (D127). A record starts with its call's id.

import { structLayout } from "../contract/c-layout.js";
import { codecOf, type CValue } from "../contract/c-values.js";
import type { MapInfo, PrintfChannel, PrintfFormat } from "../contract/manifest.js";
import { dropsCounter, RingBufStream } from "./maps/ring-buf.js";
import type { RecordFormat } from "./maps/record-format.js";
import type { ByteSink } from "./output/byte-sink.js";
import { compileFormat } from "./output/printf-format.js";
import { compilePrintfWriter } from "./output/printf-writer.js";

/** The stream of printf's records, each read as `format` says. */
export function printfStream<T>(channel: PrintfChannel, handleOf: (name: string) => bigint, format: RecordFormat<T | undefined>): RingBufStream<T> {
  const info: MapInfo = { name: channel.map, kind: "RingBuf", key: { kind: "int", bits: 32, signed: false }, value: { kind: "int", bits: 32, signed: false }, maxEntries: 0, exported: false, keyless: true, drops: channel.drops, line: 1, column: 1 };
  return new RingBufStream<T>(info, handleOf(channel.map), dropsCounter(info, handleOf), format.readerOf);
}

/** Each record as its line, a string. */
export function printfStrings(channel: PrintfChannel): RecordFormat<string | undefined> {
  return byCall(channel, ({ format, record }) => {
    const args = record.fields.slice(1);
    const offsets = structLayout(record).offsets.slice(1);
    const codecs = args.map((f) => codecOf(f.type));
    const text = compileFormat(format, args.map((f) => f.type));
    const values: CValue[] = new Array(args.length);
    return (data) => {
      const readers = codecs.map((c) => c.readerOf(data));
      return (offset) => {
        for (let i = 0; i < readers.length; i++) values[i] = readers[i](offset + offsets[i]);
        return text(values);
      };
    };
  });
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
