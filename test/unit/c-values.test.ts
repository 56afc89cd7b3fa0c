// The contract's value codec (contract/c-values.ts): the bytes it writes are the bytes clang gives
// the same C value, it reads back what it wrote, and a value that is not of the type is a
// TsbpfError naming the part that is wrong.
import { intRange, sizeOf, type CType } from "../../contract/c-layout.js";
import { codecOf, decodeValue, encodeInto, encodeValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import { clangBytes } from "../helpers/clang-bpf.js";
import { array, bool, i16, i32, i64, i8, INTS, ptr, str, struct, u16, u32, u64, u8 } from "../helpers/c-types.js";

/** The JavaScript form of an integer of `bits`: a number up to 32 bits, a bigint at 64. */
const js = (bits: number, v: bigint) => (bits === 64 ? v : Number(v));

const Limits = struct("Limits", { a: u8, b: i8, c: u16, d: i16, e: u32, f: i32, g: u64, h: i64 });
const limits = (end: 0 | 1) => Object.fromEntries(Limits.fields.map((f) => [f.name, js((f.type as typeof u8).bits, intRange(f.type as typeof u8)[end])]));

const Point = struct("Point", { x: u8, y: u64 });
const Event = struct("Event", {
  flag: bool,
  level: i16,
  comm: str(16),
  where: ptr,
  points: array(Point, 2),
  grid: array(array(u8, 3), 2),
  ok: bool,
  tail: i8,
});
const event = {
  flag: true,
  level: -2,
  comm: "héllo wörld",
  where: 0xffff888012345678n,
  points: [
    { x: 255, y: 1n << 40n },
    { x: 7, y: 18446744073709551615n },
  ],
  grid: [
    [1, 2, 3],
    [4, 5, 6],
  ],
  ok: false,
  tail: -128,
};

test("the bytes are the bytes clang gives the same C values: limits, padding, nesting, strings", () => {
  const types = [Limits, Limits, Event];
  const values = [limits(0), limits(1), event];
  const fromClang = clangBytes(types, values);
  values.forEach((v, i) => {
    expect(Buffer.from(encodeValue(types[i], v)).toString("hex")).toBe(fromClang[i].toString("hex"));
    expect(decodeValue(types[i], fromClang[i])).toEqual(v);
  });
});

describe("integers: numbers up to 32 bits, bigints at 64, at their limits", () => {
  test.each(Object.entries(INTS))("%s", (_name, t) => {
    const [min, max] = intRange(t);
    const values = [min, max, 0n, 1n, ...(t.signed ? [-1n] : [])];
    for (const v of values) {
      const bytes = encodeValue(t, js(t.bits, v));
      expect(bytes.length).toBe(t.bits / 8);
      expect(decodeValue(t, bytes)).toBe(js(t.bits, v));
      expect(encodeValue(t, v)).toEqual(bytes); // a bigint is taken at any width
    }
    expect(() => encodeValue(t, max + 1n)).toThrow(`the value (${max + 1n}) does not fit in ${_name}`);
    expect(() => encodeValue(t, min - 1n)).toThrow(`the value (${min - 1n}) does not fit in ${_name}`);
  });

  test("a number past 2^53 is refused: it may not be the integer that was meant", () => {
    expect(encodeValue(u64, 2 ** 53 - 1)).toEqual(encodeValue(u64, 9007199254740991n));
    expect(() => encodeValue(u64, 2 ** 60)).toThrow("is past the integers a number holds exactly");
    expect(() => encodeValue(u32, 1.5)).toThrow("must be an integer, not 1.5");
    expect(() => encodeValue(u32, "1")).toThrow('must be an integer, not "1"');
  });
});

test("bool, Str and pointer", () => {
  expect(decodeValue(bool, encodeValue(bool, true))).toBe(true);
  expect(decodeValue(bool, Uint8Array.of(2))).toBe(true); // C: any non-zero byte
  expect(() => encodeValue(bool, 1)).toThrow("must be true or false, not 1");

  const s = str(8);
  expect(Buffer.from(encodeValue(s, "abc")).toString("hex")).toBe("6162630000000000");
  expect(decodeValue(s, encodeValue(s, ""))).toBe("");
  expect(decodeValue(s, encodeValue(s, "1234567"))).toBe("1234567");
  expect(decodeValue(s, encodeValue(s, "päth"))).toBe("päth");
  expect(decodeValue(s, Buffer.from("12345678"))).toBe("12345678"); // no NUL: all N bytes
  expect(decodeValue(s, Buffer.from("ab\0cdefg"))).toBe("ab");
  expect(() => encodeValue(s, "12345678")).toThrow("takes 8 bytes as UTF-8; a Str<8> holds at most 7 and its NUL");
  expect(() => encodeValue(s, "123456é")).toThrow("takes 8 bytes as UTF-8"); // é's second byte would take the NUL's place
  expect(() => encodeValue(s, "a\0b")).toThrow("holds a NUL character");

  expect(decodeValue(ptr, encodeValue(ptr, 0xffffffffffffffffn))).toBe(0xffffffffffffffffn);
  expect(() => encodeValue(ptr, -1)).toThrow("is not an address");
});

test("a const enum reads as its member's name, another value as its number; written from either", () => {
  const phase: CType = { ...i32, enumerators: [{ name: "Start", value: "1" }, { name: "Done", value: "-9" }] };
  expect(decodeValue(phase, encodeValue(phase, "Done"))).toBe("Done");
  expect(encodeValue(phase, "Done")).toEqual(encodeValue(i32, -9));
  expect(decodeValue(phase, encodeValue(phase, 1))).toBe("Start");
  expect(decodeValue(phase, encodeValue(phase, 0))).toBe(0); // zeroed memory: no member is 0
  expect(() => encodeValue(phase, "Begin")).toThrow('the value ("Begin") is not a member of the enum');
  expect(() => encodeValue(phase, true)).toThrow("the value must be a member's name or an integer, not true");
  expect(() => encodeValue(phase, 2 ** 31)).toThrow("does not fit in i32");
  // A 64-bit enum: members by bigint value; another value a number where one holds it exactly.
  const wide: CType = { ...u64, enumerators: [{ name: "Top", value: "18446744073709551615" }] };
  expect(decodeValue(wide, encodeValue(wide, "Top"))).toBe("Top");
  expect(decodeValue(wide, encodeValue(wide, 5))).toBe(5);
  expect(decodeValue(wide, encodeValue(wide, 2n ** 60n))).toBe(2n ** 60n);
  expect(decodeValue(struct("Slot", { phase, n: u8 }), encodeValue(struct("Slot", { phase, n: u8 }), { phase: "Start", n: 3 }))).toEqual({ phase: "Start", n: 3 });
});

test("arrays of structs round-trip, at their offsets", () => {
  const t = array(Point, 3);
  const v = [
    { x: 1, y: 2n },
    { x: 3, y: 4n },
    { x: 5, y: 6n },
  ];
  const bytes = encodeValue(t, v);
  expect(bytes.length).toBe(48);
  expect(decodeValue(t, bytes)).toEqual(v);
  expect([bytes[16], bytes[24], bytes[32]]).toEqual([3, 4, 5]);
  expect(decodeValue(array(u8, 4), new Uint8Array([9, 8, 7, 6]))).toEqual([9, 8, 7, 6]);
  expect(encodeValue(array(u16, 2), Uint16Array.of(1, 2))).toEqual(encodeValue(array(u16, 2), [1, 2]));
});

test("a value at an offset into a larger buffer, padding zeroed", () => {
  const buffer = new Uint8Array(64).fill(0xaa);
  encodeInto(Point, { x: 1, y: 2n }, buffer, 8);
  expect(Buffer.from(buffer.subarray(8, 24)).toString("hex")).toBe("01000000000000000200000000000000");
  expect([buffer[7], buffer[24]]).toEqual([0xaa, 0xaa]);
  expect(decodeValue(Point, buffer, 8)).toEqual({ x: 1, y: 2n });
  expect(() => decodeValue(Point, buffer, 56)).toThrow(RangeError);
  expect(() => encodeInto(Point, { x: 1, y: 2n }, buffer, -1)).toThrow(RangeError);
});

test("a wrong value is a TsbpfError that names the part that is wrong, and leaves zeros", () => {
  const cases: [CType, unknown, string][] = [
    [Event, { ...event, level: 40000 }, "the event.level (40000) does not fit in i16"],
    [Event, { ...event, points: [event.points[0], { x: 256, y: 0n }] }, "the event.points[1].x (256) does not fit in u8"],
    [Event, { ...event, grid: [[1, 2, 3], [4, 5]] }, "the event.grid[1] has 2 elements, not 3"],
    [Event, { ...event, comm: 7 }, "the event.comm must be a string, not 7"],
    [Event, { ...event, extra: 1 }, "the event has a field 'extra' that Event does not"],
    [Event, (({ ok: _ok, ...rest }) => rest)(event), "the event has no field 'ok'"],
    [Event, [1, 2], "the event must be an object, not an array"],
    [Event, null, "the event must be an object, not null"],
    [array(u8, 2), { 0: 1, 1: 2 }, "the event must be an array, not an object"],
  ];
  for (const [t, v, message] of cases) {
    const bytes = new Uint8Array(sizeOf(t)).fill(0xaa);
    let error: unknown;
    try {
      encodeInto(t, v, bytes, 0, "the event");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TsbpfError);
    expect((error as TsbpfError).message).toBe(message);
    expect((error as TsbpfError).options.hint).toBeTruthy();
    expect(bytes.every((b) => b === 0)).toBe(true);
  }
});

test("a field named __proto__ is a field, not the object's prototype", () => {
  const t: CType = { kind: "struct", name: "Odd", fields: [{ name: "__proto__", type: u32 }, { name: "constructor", type: u8 }] };
  const v = JSON.parse('{"__proto__": 5, "constructor": 6}');
  const decoded = decodeValue(t, encodeValue(t, v)) as Record<string, unknown>;
  expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  expect(Object.entries(decoded)).toEqual([
    ["__proto__", 5],
    ["constructor", 6],
  ]);
});

test("one codec per type, reused", () => {
  expect(codecOf(Event)).toBe(codecOf(Event));
  expect(codecOf(Event).size).toBe(sizeOf(Event));
  // Decoding many records through one view, as a ring-buffer reader does.
  const bytes = new Uint8Array(sizeOf(Point) * 100);
  for (let i = 0; i < 100; i++) encodeInto(Point, { x: i, y: BigInt(i) * 3n }, bytes, i * 16);
  const view = new DataView(bytes.buffer);
  const c = codecOf(Point);
  const decoded = Array.from({ length: 100 }, (_, i) => c.decode(view, i * 16));
  expect(decoded[99]).toEqual({ x: 99, y: 297n });
});

test("every width's decoding agrees with Node's own readers", () => {
  const bytes = Buffer.from("f1e2d3c4b5a69788", "hex");
  expect(decodeValue(u8, bytes)).toBe(bytes.readUInt8(0));
  expect(decodeValue(i8, bytes)).toBe(bytes.readInt8(0));
  expect(decodeValue(u16, bytes)).toBe(bytes.readUInt16LE(0));
  expect(decodeValue(i16, bytes)).toBe(bytes.readInt16LE(0));
  expect(decodeValue(u32, bytes)).toBe(bytes.readUInt32LE(0));
  expect(decodeValue(i32, bytes)).toBe(bytes.readInt32LE(0));
  expect(decodeValue(u64, bytes)).toBe(bytes.readBigUInt64LE(0));
  expect(decodeValue(i64, bytes)).toBe(bytes.readBigInt64LE(0));
});

test("a reader bound to a buffer reads what decode reads, at 8-aligned offsets and others, a long array included", () => {
  const Wide = struct("Wide", { head: u8, big: u64, signed: i64, at: ptr, words: array(u64, 3), bytes: array(u8, 40), event: Event });
  const value = { head: 9, big: (1n << 64n) - 2n, signed: -(1n << 62n), at: 0xffff888000000000n, words: [1n, 2n, 3n], bytes: Array.from({ length: 40 }, (_, i) => i), event };
  const size = sizeOf(Wide);
  const bytes = new Uint8Array(8 + 3 + 2 * size);
  const view = new DataView(bytes.buffer, 8); // 8-aligned, as a ring buffer's data area is
  const read = codecOf(Wide).readerOf(view);
  for (const offset of [0, size, 3 + size]) {
    encodeInto(Wide, value, bytes, 8 + offset);
    expect(read(offset)).toEqual(value);
    expect(codecOf(Wide).decode(view, offset)).toEqual(value);
  }
});

test("a reader's Str is decode's: up to the NUL or all N bytes, invalid UTF-8 replaced the same way", () => {
  const Named = struct("Named", { name: str(8), tail: u8 });
  const raws = [[0x61, 0x62, 0, 0x63], [0xc3, 0x28, 0xff, 0x41, 0xe2, 0x82], [0xf0, 0x9f, 0x98, 0x80, 0x68, 0xc3, 0xa9, 0x21], [0xed, 0xa0, 0x80, 0xc0, 0xaf]];
  const bytes = new Uint8Array(9 * raws.length);
  raws.forEach((raw, i) => bytes.set(raw, 9 * i));
  const view = new DataView(bytes.buffer);
  const read = codecOf(Named).readerOf(view);
  const got = raws.map((_, i) => (read(9 * i) as { name: string }).name);
  expect(got).toEqual(raws.map((_, i) => (codecOf(Named).decode(view, 9 * i) as { name: string }).name));
  expect(got.slice(0, 3)).toEqual(["ab", "\ufffd(\ufffdA\ufffd", "\u{1f600}hé!"]);
});
