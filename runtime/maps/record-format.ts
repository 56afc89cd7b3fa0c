// How a stream turns the bytes of each record into what it hands out: by default the event as
// a decoded object (`Decoded<E>`, formatted types shown); `tsbpf run` asks for its table lines
// made straight from the bytes instead (output/event-table.ts, D127), which skips the object.

import { codecOf, type CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { viewOf } from "../output/value-views.js";

export interface RecordFormat<T> {
  /** A reader of records in `data` by offset, made once for memory that lives as long as the stream (a ring buffer's). */
  readerOf(data: DataView): (offset: number) => T;
  /** The record that fills a view of its own (a perf buffer's sample, the kernel's again after the call). */
  decode(record: DataView): T;
}

const objectFormats = new WeakMap<MapInfo, RecordFormat<CValue>>();

/** A stream's events as user space sees them: decoded, formatted types shown (`openat`, `10.0.0.1`). */
export function eventObjects(info: MapInfo): RecordFormat<CValue> {
  let format = objectFormats.get(info);
  if (!format) {
    const codec = codecOf(info.value);
    const show = viewOf(info.value).show;
    format = {
      readerOf: (data) => {
        const read = codec.readerOf(data);
        return show ? (offset) => show(read(offset)) : read;
      },
      decode: (record) => (show ? show(codec.decode(record, 0)) : codec.decode(record, 0)),
    };
    objectFormats.set(info, format);
  }
  return format;
}
