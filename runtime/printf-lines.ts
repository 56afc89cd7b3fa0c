// printf's lines: the records the probe's printf calls send through the ring buffer the compiler
// added (compiler/lower/printf.ts), each formatted by its call's format (output/printf-format.ts).

import { structLayout } from "../contract/c-layout.js";
import { codecOf, type CValue } from "../contract/c-values.js";
import type { MapInfo, PrintfChannel } from "../contract/manifest.js";
import { dropsCounter, RingBufStream } from "./maps/ring-buf.js";
import { compileFormat } from "./output/printf-format.js";

/** The stream of printf's lines, each formatted. */
export function printfLines(channel: PrintfChannel, handleOf: (name: string) => bigint): RingBufStream<string> {
  const formats = channel.formats.map(({ format, record }) => {
    const args = record.fields.slice(1); // after the id
    const offsets = structLayout(record).offsets.slice(1);
    const codecs = args.map((f) => codecOf(f.type));
    const text = compileFormat(format, args.map((f) => f.type));
    const values: CValue[] = new Array(args.length);
    return (data: DataView) => {
      const readers = codecs.map((c) => c.readerOf(data));
      return (offset: number): string => {
        for (let i = 0; i < readers.length; i++) values[i] = readers[i](offset + offsets[i]);
        return text(values);
      };
    };
  });
  const info: MapInfo = { name: channel.map, kind: "RingBuf", key: { kind: "int", bits: 32, signed: false }, value: { kind: "int", bits: 32, signed: false }, maxEntries: 0, exported: false, keyless: true, drops: channel.drops, line: 1, column: 1 };
  // A record of an id this object does not have cannot come from it: skipped.
  return new RingBufStream(info, handleOf(channel.map), dropsCounter(info, handleOf), (data) => {
    const lines = formats.map((format) => format(data));
    return (offset) => lines[data.getUint32(offset, true)]?.(offset);
  });
}
