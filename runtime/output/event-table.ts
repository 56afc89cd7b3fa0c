// How `tsbpf run` prints a RingBuf's events: one line each under a header of the event's field
// names, as bcc's tools print (PID COMM FD ERR PATH), columns as wide as their type needs; or,
// with --json, one JSON object per line (NDJSON), integers of any size as JSON numbers.
//
// A run prints each event as it arrives, millions a second: its lines are written as bytes
// straight from the record's (event-lines.ts, D127). `row` makes the same line from a decoded
// event; a test holds the two to the same text.

import { structLayout, type CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import type { RecordFormat } from "../maps/record-format.js";
import type { ByteSink } from "./byte-sink.js";
import { compileLineWriter } from "./event-lines.js";
import { viewOf } from "./value-views.js";

interface Column {
  title: string;
  width: number;
  /** Numbers line up on the right, text on the left. */
  right: boolean;
  type: CType;
  /** Where the field's bytes start in the record. */
  offset: number;
  get: (event: CValue) => CValue;
  /** As the field's type shows it (value-views.ts: a SyscallNr by name). */
  text: (value: CValue) => string;
}

/** Digits a column of this integer width is given (a pid, a count); wider values push the line. */
const INT_WIDTH: Record<number, number> = { 8: 4, 16: 6, 32: 7, 64: 12 };

function columnsOf(type: CType, title: string, offset: number, get: (event: CValue) => CValue): Column[] {
  if (type.kind === "struct") {
    const { offsets } = structLayout(type);
    return type.fields.flatMap((f, k) => columnsOf(f.type, title ? `${title}.${f.name}` : f.name, offset + offsets[k], (e) => (get(e) as Record<string, CValue>)[f.name]));
  }
  const width = type.kind === "int" ? INT_WIDTH[type.bits] : type.kind === "str" ? Math.min(type.length - 1, 16) : type.kind === "bool" ? 5 : 12;
  const formatted = (type.kind === "int" || type.kind === "array") && type.format !== undefined;
  return [{ title: (title || "value").toUpperCase(), width: Math.max(width, title.length), right: type.kind === "int" && !formatted, type, offset, get, text: viewOf(type).text }];
}

export class EventTable {
  private readonly columns: Column[];
  private writer?: ReturnType<typeof compileLineWriter>;

  constructor(readonly info: MapInfo) {
    this.columns = columnsOf(info.value, "", 0, (e) => e);
  }

  /**
   * Each record's line (as `row` makes it from the decoded event) written from its bytes into
   * `sink`: what the stream hands out for a record is 1, a line.
   */
  linesInto(sink: ByteSink): RecordFormat<number> {
    const writer = (this.writer ??= compileLineWriter(this.columns));
    return { readerOf: (data) => writer(data, sink), decode: (record) => writer(record, sink)(0) };
  }

  header(): string {
    const { columns } = this;
    return columns.map((c, i) => (i === columns.length - 1 ? c.title : padded(c, c.title) + " ")).join("") + "\n";
  }

  /** One event's line: built in one pass, as `tsbpf run` prints one per event (bench/events.ts). */
  row(event: CValue): string {
    const { columns } = this;
    const last = columns.length - 1;
    if (last < 0) return "\n";
    let out = "";
    for (let i = 0; i < last; i++) {
      const c = columns[i];
      const text = c.text(c.get(event));
      out += padded(c, text) + " ";
    }
    return out + columns[last].text(columns[last].get(event)) + "\n";
  }
}

/** A cell of a column but the last: as wide as the column, numbers to the right. */
const padded = (c: Column, text: string): string => (c.right ? text.padStart(c.width) : text.padEnd(c.width));

/** An event (or any decoded value) as JSON: bigints as plain JSON numbers, exact at any size. */
export function toJson(value: CValue): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(toJson).join(",")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
    .join(",")}}`;
}
