// `tsbpf run`'s event lines (runtime/output/event-table.ts, event-lines.ts): the line written from
// a record's bytes is, byte for byte, the line made from the decoded event, for every kind of
// field, at the limits of each integer (where a 64-bit one stops being exact as a double), and
// when the buffer it is written into is written out in the middle of a line.
import { intRange, sizeOf, type CType } from "../../contract/c-layout.js";
import { codecOf, type CValue } from "../../contract/c-values.js";
import type { MapInfo } from "../../contract/manifest.js";
import { eventObjects } from "../../runtime/maps/record-format.js";
import { EventTable } from "../../runtime/output/event-table.js";
import { KeptBytes } from "../helpers/kept-bytes.js";
import { array, bool, i16, i32, i64, i8, ptr, str, struct, u16, u32, u64, u8 } from "../helpers/c-types.js";

const info = (value: CType): MapInfo => ({ name: "events", kind: "RingBuf", key: u32, value, maxEntries: 4096, exported: true, keyless: true, line: 1, column: 1 });

/** Writes each event at an 8-aligned offset, as a ring buffer holds them, after an 8-byte header. */
function records(type: CType, events: unknown[]): { view: DataView; offsets: number[] } {
  const stride = (sizeOf(type) + 8 + 7) & ~7;
  const view = new DataView(new ArrayBuffer(stride * events.length + 8));
  const offsets = events.map((e, i) => {
    const at = i * stride + 8;
    codecOf(type).write(view, at, e);
    return at;
  });
  return { view, offsets };
}

function expectSameLines(type: CType, events: unknown[]): string[] {
  const table = new EventTable(info(type));
  const { view, offsets } = records(type, events);
  const decoded = eventObjects(info(type)).readerOf(view);
  const rows = offsets.map((o) => table.row(decoded(o)));
  for (const capacity of [65536, 128, 16]) {
    const sink = new KeptBytes(capacity);
    const write = table.linesInto(sink).readerOf(view);
    for (const o of offsets) expect(write(o)).toBe(1);
    expect(sink.lines()).toEqual(rows);
  }
  // A perf sample's record, in a view of its own.
  const sink = new KeptBytes(4096);
  offsets.forEach((o) => table.linesInto(sink).decode(new DataView(view.buffer, o, sizeOf(type))));
  expect(sink.lines()).toEqual(rows);
  return rows;
}

/** The line written from the record at `offset` of `view`. */
function lineAt(type: CType, view: DataView, offset: number): string {
  const sink = new KeptBytes(4096);
  new EventTable(info(type)).linesInto(sink).readerOf(view)(offset);
  return sink.lines().join("");
}

const EXACT = 2n ** 53n;

test("integers of every width at their limits, and 64-bit ones either side of 2^53", () => {
  const Ints = struct("Ints", { a: u8, b: i8, c: u16, d: i16, e: u32, f: i32, g: u64, h: i64, p: ptr });
  const limit = (t: typeof u8, end: 0 | 1) => (t.bits === 64 ? intRange(t)[end] : Number(intRange(t)[end]));
  const at = (end: 0 | 1) => ({ a: limit(u8, end), b: limit(i8, end), c: limit(u16, end), d: limit(i16, end), e: limit(u32, end), f: limit(i32, end), g: limit(u64, end), h: limit(i64, end), p: end ? 2n ** 64n - 1n : 0n });
  const around = [EXACT - 1n, EXACT, EXACT + 1n, 2n ** 32n - 1n, 2n ** 32n, 0xffff888012345678n, 10n ** 9n - 1n, 10n ** 9n, 10n ** 9n + 1n, 2n ** 31n, 5n * 10n ** 12n, 4_000_000_000_000_000n, 123456789012345n].flatMap((g) => [
    { a: 1, b: -1, c: 2, d: -2, e: 3, f: -3, g, h: g < 2n ** 63n ? -g : -1n, p: g },
    { a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, g: 0n, h: g < 2n ** 63n ? g : 1n, p: 0n },
  ]);
  const lines = expectSameLines(Ints, [at(0), at(1), ...around]);
  expect(lines[1]).toContain("18446744073709551615");
  expect(lines[0]).toContain("-9223372036854775808");
  expect(lines[2]).toContain(" 9007199254740991 ");
  expect(lines[4]).toContain(" 9007199254740992 ");
});

test("strings (ASCII, UTF-8, invalid UTF-8, full, empty, long), bools, arrays and nested structs", () => {
  const Event = struct("Event", { pid: u32, comm: str(16), path: str(64), ok: bool, args: array(u64, 3), inner: struct("Inner", { x: i16, name: str(8) }) });
  const strings = ["", "bash", "fifteen-chars!!", "héllo wörld", "x".repeat(63), "a/b/c/d", "\u{1F600}"];
  /** `s` cut to at most `bytes` bytes of UTF-8, at a character's end. */
  const fit = (s: string, bytes: number): string => [...s].reduce((t, c) => (Buffer.byteLength(t + c) <= bytes ? t + c : t), "");
  const events = strings.map((s, i) => ({ pid: i, comm: fit(s, 15), path: s, ok: i % 2 === 0, args: [BigInt(i), EXACT + BigInt(i), 0n], inner: { x: -i, name: fit(s, 7) } }));
  // Bytes no string writes: invalid UTF-8, read back as U+FFFD by both paths.
  const { view, offsets } = records(Event, [events[0]]);
  new Uint8Array(view.buffer, offsets[0] + 4, 3).set([0xff, 0x41, 0xc3]);
  expect(lineAt(Event, view, offsets[0])).toBe(new EventTable(info(Event)).row(eventObjects(info(Event)).readerOf(view)(offsets[0])));
  const lines = expectSameLines(Event, events);
  expect(lines[3]).toContain("héllo wörld");
});

test("arrays: of each integer, nested, of bools and pointers, of structs, and longer than those printed inline", () => {
  const Point = struct("Point", { x: u8, y: i64 });
  const Event = struct("Event", { a: array(i8, 3), b: array(array(u16, 2), 2), c: array(bool, 2), d: array(ptr, 1), e: array(Point, 2), f: array(u32, 40), g: array(i64, 2) });
  const event = (k: number) => ({
    a: [-128, 0, 127 - k],
    b: [[1, 2], [65535, k]],
    c: [true, k % 2 === 0],
    d: [0xffff888012345678n + BigInt(k)],
    e: [{ x: k, y: -(2n ** 63n) }, { x: 255, y: EXACT + BigInt(k) }],
    f: Array.from({ length: 40 }, (_, i) => i * k),
    g: [2n ** 63n - 1n, -EXACT - BigInt(k)],
  });
  const [line] = expectSameLines(Event, [event(0), event(1), event(2)]);
  expect(line).toContain("[-128,0,127] [[1,2],[65535,0]] [true,true]");
});

test("formatted types and enums are printed by their formatters, as the decoded event prints them", () => {
  const syscall: CType = { ...u64, format: "syscall" };
  const errno: CType = { ...i32, format: "errno" };
  const ipv4: CType = { ...u32, format: "ipv4" };
  const state: CType = { ...i32, enumerators: [{ name: "Idle", value: "0" }, { name: "Busy", value: "7" }] };
  const ipv6: CType = { ...array(u8, 16), format: "ipv6" };
  const Event = struct("Event", { nr: syscall, err: errno, addr: ipv4, state, count: u32, addr6: ipv6, errs: array(errno, 2) });
  const lines = expectSameLines(Event, [
    { nr: 257n, err: -2, addr: 0x0100007f, state: "Busy", count: 1, addr6: [...Array(15).fill(0), 1], errs: [-13, 0] },
    { nr: 0n, err: 0, addr: 0, state: "Idle", count: 0, addr6: Array(16).fill(0), errs: [0, -2] },
  ]);
  expect(lines[0]).toContain("openat");
  expect(lines[0]).toContain("127.0.0.1");
});

test("a bare integer event and an event of one column", () => {
  expectSameLines(u64, [0n, EXACT, 2n ** 64n - 1n]);
  expectSameLines(i8 as CType, [-128, 127]);
  expectSameLines(struct("One", { comm: str(16) }), [{ comm: "only" }]);
  expectSameLines(struct("Two", { a: i16, b: u16 }), [{ a: -1, b: 65535 }]);
});

test("the table's line from bytes is also what the decoded event's row gives for a record written by hand", () => {
  // One hand-made record, so that the test does not rest on the encoder alone.
  const Event = struct("Event", { pid: u32, tid: u32, comm: str(16), nsecs: u64 });
  const view = new DataView(new ArrayBuffer(48));
  view.setUint32(8, 4242, true);
  view.setUint32(12, 4243, true);
  new Uint8Array(view.buffer, 16, 4).set([0x62, 0x61, 0x73, 0x68]);
  view.setBigUint64(32, 123456789012345678n, true);
  const line = lineAt(Event, view, 8);
  expect(line).toBe("   4242    4243 bash            123456789012345678\n");
  const decoded = eventObjects(info(Event)).readerOf(view)(8) as Record<string, CValue>;
  expect(decoded).toEqual({ pid: 4242, tid: 4243, comm: "bash", nsecs: 123456789012345678n });
});
