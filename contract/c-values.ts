// Values of C types to and from bytes, laid out by c-layout.ts: what the runtime writes into the
// params and map keys and reads out of maps and events. One rule maps C to JavaScript (the
// DESIGN's `Decoded<T>`): an integer of up to 32 bits is a number, a 64-bit one a bigint, as is an
// address; a bool is a boolean; a `Str<N>` a string (its bytes up to the first NUL, as UTF-8); a
// FixedArray an array; a struct a plain object with a property per field; a C enum (a probe's
// `const enum`) its member's name. Bytes are little-endian: the compiler emits bpfel objects.
// runtime/maps/decoded.ts's `Decoded<T>` says the same in types: the two change together.
//
// A codec is made once per type (`codecOf`) and then reads and writes with a DataView, allocating
// only the values it returns: a reader of a ring buffer decodes each record with one call. A
// struct's or array's decoder is generated for its type (compiled-decoder.ts, D120).

import { TsbpfError } from "./errors.js";
import { cTypeName, intName, intRange, sizeOf, structLayout, type CArray, type CInt, type CStr, type CStruct, type CType } from "./c-layout.js";
import { compileDecoder, INLINE_ELEMENTS, type CompiledDecoder } from "./compiled-decoder.js";

export type CValue = number | bigint | boolean | string | CValue[] | { [field: string]: CValue };

/** Reads and writes values of one C type. */
export interface Codec {
  readonly type: CType;
  readonly size: number;
  /** The value whose bytes start at `offset` in `view`. */
  decode(view: DataView, offset: number): CValue;
  /** A reader of values in `view` by offset: made once per buffer (a ring buffer's), faster than decode. */
  readerOf(view: DataView): (offset: number) => CValue;
  /**
   * Writes `value`'s bytes at `offset`, or throws a `BadValue` saying what is wrong with it.
   * Padding is left as it is: `encodeInto` zeroes the whole range first.
   */
  write(view: DataView, offset: number, value: unknown): void;
}

/** A value that is not one of the type: where in it (filled in as the error unwinds) and why. */
class BadValue extends Error {
  readonly path: string[] = [];
  constructor(
    readonly problem: string,
    readonly hint: string,
  ) {
    super(problem);
  }
}

const LITTLE_ENDIAN = true;

class IntCodec implements Codec {
  readonly size: number;
  private readonly min: bigint;
  private readonly max: bigint;
  constructor(readonly type: CInt) {
    this.size = sizeOf(type);
    [this.min, this.max] = intRange(type);
  }

  readerOf(view: DataView): (offset: number) => CValue {
    return (offset) => this.decode(view, offset);
  }

  decode(view: DataView, offset: number): number | bigint {
    const { bits, signed } = this.type;
    switch (bits) {
      case 8:
        return signed ? view.getInt8(offset) : view.getUint8(offset);
      case 16:
        return signed ? view.getInt16(offset, LITTLE_ENDIAN) : view.getUint16(offset, LITTLE_ENDIAN);
      case 32:
        return signed ? view.getInt32(offset, LITTLE_ENDIAN) : view.getUint32(offset, LITTLE_ENDIAN);
      case 64:
        return signed ? view.getBigInt64(offset, LITTLE_ENDIAN) : view.getBigUint64(offset, LITTLE_ENDIAN);
    }
  }

  write(view: DataView, offset: number, value: unknown): void {
    const v = integerOf(value, this.type);
    if (v < this.min || v > this.max) throw new BadValue(`(${v}) does not fit in ${intName(this.type)}`, `a ${intName(this.type)} holds ${this.min} to ${this.max}`);
    const { bits, signed } = this.type;
    if (bits === 64) {
      if (signed) view.setBigInt64(offset, v, LITTLE_ENDIAN);
      else view.setBigUint64(offset, v, LITTLE_ENDIAN);
      return;
    }
    const n = Number(v); // in range, so exact
    if (bits === 8) view.setUint8(offset, n & 0xff);
    else if (bits === 16) view.setUint16(offset, n & 0xffff, LITTLE_ENDIAN);
    else view.setUint32(offset, n >>> 0, LITTLE_ENDIAN);
  }
}

/**
 * A C enum (a probe's `const enum`): a member's value reads as the member's name; any other value
 * (a C enum holds any integer of its width) as its number, a bigint only past what a number holds
 * exactly. Written from a member's name or from an integer.
 */
class EnumCodec implements Codec {
  readonly size: number;
  private readonly int: IntCodec;
  /** By value as IntCodec decodes it (a number, a bigint at 64 bits): Map compares both by value. */
  private readonly names = new Map<number | bigint, string>();
  private readonly values = new Map<string, bigint>();
  constructor(readonly type: CInt) {
    this.int = new IntCodec(type);
    this.size = this.int.size;
    for (const { name, value } of type.enumerators ?? []) {
      const v = BigInt(value);
      this.names.set(type.bits === 64 ? v : Number(v), name);
      this.values.set(name, v);
    }
  }

  readerOf(view: DataView): (offset: number) => CValue {
    return (offset) => this.decode(view, offset);
  }

  decode(view: DataView, offset: number): string | number | bigint {
    const raw = this.int.decode(view, offset);
    const name = this.names.get(raw);
    if (name !== undefined) return name;
    return typeof raw === "bigint" && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
  }

  write(view: DataView, offset: number, value: unknown): void {
    const members = `its members are ${[...this.values.keys()].join(", ")}`;
    if (typeof value === "string") {
      const v = this.values.get(value);
      if (v === undefined) throw new BadValue(`(${describe(value)}) is not a member of the enum`, members);
      return this.int.write(view, offset, v);
    }
    if (typeof value !== "number" && typeof value !== "bigint") throw new BadValue(`must be a member's name or an integer, not ${describe(value)}`, members);
    this.int.write(view, offset, value);
  }
}

/** An integer given as a bigint or as a number that holds it exactly. */
function integerOf(value: unknown, t: CInt | { kind: "ptr" }): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  const name = t.kind === "int" ? intName(t) : "pointer";
  if (typeof value === "number" && Number.isInteger(value))
    throw new BadValue(`(${value}) is past the integers a number holds exactly`, `give a ${name} this large as a bigint (e.g. ${BigInt(value)}n)`);
  throw new BadValue(`must be an integer, not ${describe(value)}`, `give a ${name} as a number or a bigint`);
}

class BoolCodec implements Codec {
  readonly type = { kind: "bool" } as const;
  readonly size = 1;
  decode(view: DataView, offset: number): boolean {
    return view.getUint8(offset) !== 0;
  }
  readerOf(view: DataView): (offset: number) => CValue {
    return (offset) => this.decode(view, offset);
  }
  write(view: DataView, offset: number, value: unknown): void {
    if (typeof value !== "boolean") throw new BadValue(`must be true or false, not ${describe(value)}`, "give a boolean");
    view.setUint8(offset, value ? 1 : 0);
  }
}

class PtrCodec implements Codec {
  readonly type = { kind: "ptr" } as const;
  readonly size = 8;
  decode(view: DataView, offset: number): bigint {
    return view.getBigUint64(offset, LITTLE_ENDIAN);
  }
  readerOf(view: DataView): (offset: number) => CValue {
    return (offset) => this.decode(view, offset);
  }
  write(view: DataView, offset: number, value: unknown): void {
    const v = integerOf(value, this.type);
    if (v < 0n || v >= 1n << 64n) throw new BadValue(`(${v}) is not an address`, "an address is 0 to 2^64 - 1");
    view.setBigUint64(offset, v, LITTLE_ENDIAN);
  }
}

const utf8 = new TextDecoder("utf-8");

/** Up to this many bytes, an ASCII string is read by `shortAscii(n)`; longer ones in one native call. */
const SHORT_ASCII_MAX = 32;
const shortAsciiReaders: ((bytes: Uint8Array, at: number) => string)[] = [];

/**
 * `shortAscii(n)(bytes, at)`: the n ASCII bytes at `at` as a string, one String.fromCharCode call
 * with n arguments (generated from constants only, the first time a length is met: making all 33
 * at load cost every run 2 ms).
 */
function shortAscii(n: number): (bytes: Uint8Array, at: number) => string {
  return (shortAsciiReaders[n] ??= new Function("b", "o", `return String.fromCharCode(${Array.from({ length: n }, (_, k) => `b[o + ${k}]`).join(", ")});`) as (
    bytes: Uint8Array,
    at: number,
  ) => string);
}
const utf8Encoder = new TextEncoder();

class StrCodec implements Codec {
  readonly size: number;
  constructor(readonly type: CStr) {
    this.size = type.length;
  }

  /**
   * As decode, through one Buffer over the whole buffer. A short ASCII string (a comm, a
   * filename's last part) is made from its bytes by String.fromCharCode with one argument per
   * byte (35 ns for 10 characters); others are a native UTF-8 slice of the buffer (Node's decoder
   * replaces invalid sequences as TextDecoder does), whose call costs 140 ns at any length (D127).
   */
  readerOf(view: DataView): (offset: number) => string {
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    const { size } = this;
    return (offset) => {
      const last = offset + size;
      let end = offset;
      let ascii = true;
      for (let b; end < last && (b = bytes[end]) !== 0; end++) if (b > 0x7f) ascii = false;
      const length = end - offset;
      return ascii && length <= SHORT_ASCII_MAX ? shortAscii(length)(bytes, offset) : bytes.toString("utf8", offset, end);
    };
  }

  /** The bytes up to the first NUL (or all of them), as UTF-8; invalid sequences become U+FFFD. */
  decode(view: DataView, offset: number): string {
    let end = 0;
    let ascii = true;
    for (; end < this.size; end++) {
      const b = view.getUint8(offset + end);
      if (b === 0) break;
      if (b > 0x7f) ascii = false;
    }
    const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, end);
    if (!ascii) return utf8.decode(bytes);
    return end <= SHORT_ASCII_MAX ? shortAscii(end)(bytes, 0) : String.fromCharCode.apply(null, bytes as unknown as number[]);
  }

  /** The string's UTF-8 bytes, then zeros to the end (the NUL and what C's strncpy leaves). */
  write(view: DataView, offset: number, value: unknown): void {
    const name = cTypeName(this.type);
    if (typeof value !== "string") throw new BadValue(`must be a string, not ${describe(value)}`, `give a ${name} as a string`);
    if (value.includes("\0")) throw new BadValue("holds a NUL character, where a C string ends", "remove the \\0 from the string");
    const into = new Uint8Array(view.buffer, view.byteOffset + offset, this.size);
    // Written in place; a string that does not fit, with its NUL, stops short of its end.
    const { read, written } = utf8Encoder.encodeInto(value, into.subarray(0, this.size - 1));
    if (read < value.length)
      throw new BadValue(`takes ${utf8Encoder.encode(value).length} bytes as UTF-8; a ${name} holds at most ${this.size - 1} and its NUL`, `shorten it, or declare a larger Str`);
    into.fill(0, written);
  }
}

class ArrayCodec implements Codec {
  readonly size: number;
  private readonly elem: Codec;
  private readonly stride: number;
  private readonly compiled: CompiledDecoder<CValue[]> | undefined;
  constructor(readonly type: CArray) {
    this.size = sizeOf(type);
    this.elem = codecOf(type.elem);
    this.stride = this.elem.size;
    // A long array (a buffer of bytes) is read in a loop, not in thousands of inline reads.
    this.compiled = type.length <= INLINE_ELEMENTS ? compileDecoder(type, codecOf) : undefined;
  }

  decode(view: DataView, offset: number): CValue[] {
    if (this.compiled) return this.compiled.decode(view, offset);
    const out = new Array<CValue>(this.type.length);
    for (let i = 0; i < out.length; i++) out[i] = this.elem.decode(view, offset + i * this.stride);
    return out;
  }

  readerOf(view: DataView): (offset: number) => CValue[] {
    if (this.compiled) return this.compiled.readerOf(view);
    const elem = this.elem.readerOf(view);
    const { length } = this.type;
    return (offset) => {
      const out = new Array<CValue>(length);
      for (let i = 0; i < length; i++) out[i] = elem(offset + i * this.stride);
      return out;
    };
  }

  write(view: DataView, offset: number, value: unknown): void {
    const { length } = this.type;
    const items = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)) ? (value as ArrayLike<unknown>) : undefined;
    if (!items) throw new BadValue(`must be an array, not ${describe(value)}`, `give a ${cTypeName(this.type)} as an array of ${length}`);
    if (items.length !== length) throw new BadValue(`has ${items.length} elements, not ${length}`, `a ${cTypeName(this.type)} is given as all ${length} of its elements`);
    for (let i = 0; i < length; i++) {
      try {
        this.elem.write(view, offset + i * this.stride, items[i]);
      } catch (e) {
        throw within(e, `[${i}]`);
      }
    }
  }
}

interface FieldCodec {
  name: string;
  offset: number;
  codec: Codec;
}

class StructCodec implements Codec {
  readonly size: number;
  private readonly fields: FieldCodec[];
  private readonly names: Set<string>;
  private readonly compiled: CompiledDecoder<{ [field: string]: CValue }>;
  readonly decode: (view: DataView, offset: number) => { [field: string]: CValue };
  constructor(readonly type: CStruct) {
    const layout = structLayout(type);
    this.size = layout.size;
    this.fields = type.fields.map((f, i) => ({ name: f.name, offset: layout.offsets[i], codec: codecOf(f.type) }));
    this.names = new Set(type.fields.map((f) => f.name));
    this.compiled = compileDecoder(type, codecOf);
    this.decode = this.compiled.decode;
  }

  readerOf(view: DataView): (offset: number) => { [field: string]: CValue } {
    return this.compiled.readerOf(view);
  }

  write(view: DataView, offset: number, value: unknown): void {
    const name = cTypeName(this.type);
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new BadValue(`must be an object, not ${describe(value)}`, `give a ${name} as an object with its fields`);
    const fields = value as Record<string, unknown>;
    for (const f of this.fields) {
      if (!Object.hasOwn(fields, f.name)) throw new BadValue(`has no field '${f.name}'`, `a ${name} is given with all its fields: ${[...this.names].join(", ")}`);
      try {
        f.codec.write(view, offset + f.offset, fields[f.name]);
      } catch (e) {
        throw within(e, `.${f.name}`);
      }
    }
    for (const key of Object.keys(fields))
      if (!this.names.has(key)) throw new BadValue(`has a field '${key}' that ${name} does not`, `a ${name}'s fields are: ${[...this.names].join(", ")}`);
  }
}

/** `e` as an error in the part of a value at `key`. */
function within(e: unknown, key: string): unknown {
  if (e instanceof BadValue) e.path.unshift(key);
  return e;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return typeof value === "function" || typeof value === "symbol" ? `a ${typeof value}` : String(value);
}

const codecs = new WeakMap<CType, Codec>();

/** The codec for `t`, made on first use; like the layout, a type is never changed once used. */
export function codecOf(t: CType): Codec {
  let c = codecs.get(t);
  if (!c) {
    c = makeCodec(t);
    codecs.set(t, c);
  }
  return c;
}

function makeCodec(t: CType): Codec {
  switch (t.kind) {
    case "int":
      return t.enumerators?.length ? new EnumCodec(t) : new IntCodec(t);
    case "bool":
      return new BoolCodec();
    case "ptr":
      return new PtrCodec();
    case "str":
      return new StrCodec(t);
    case "array":
      return new ArrayCodec(t);
    case "struct":
      return new StructCodec(t);
  }
}

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function checkBounds(c: Codec, bytes: Uint8Array, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + c.size > bytes.length)
    throw new RangeError(`a ${cTypeName(c.type)} (${c.size} bytes) at offset ${offset} does not fit in ${bytes.length} bytes`);
}

/** The value of type `t` whose bytes start at `offset` of `bytes`. */
export function decodeValue(t: CType, bytes: Uint8Array, offset = 0): CValue {
  const c = codecOf(t);
  checkBounds(c, bytes, offset);
  return c.decode(viewOf(bytes), offset);
}

/**
 * Writes `value` as a `t` at `offset` of `bytes`, padding zeroed (a map compares keys byte by
 * byte). A value that is not a `t` is a user's mistake: a TsbpfError naming `what` and the part
 * of it that is wrong (`what.origin.x`, `what[2]`); the bytes are then left zeroed.
 */
export function encodeInto(t: CType, value: unknown, bytes: Uint8Array, offset = 0, what = "the value"): void {
  const c = codecOf(t);
  checkBounds(c, bytes, offset);
  bytes.fill(0, offset, offset + c.size);
  try {
    c.write(viewOf(bytes), offset, value);
  } catch (e) {
    if (!(e instanceof BadValue)) throw e;
    bytes.fill(0, offset, offset + c.size);
    throw new TsbpfError(`${what}${e.path.join("")} ${e.problem}`, { hint: e.hint });
  }
}

/** `value`'s bytes as a `t`. */
export function encodeValue(t: CType, value: unknown, what?: string): Uint8Array {
  const bytes = new Uint8Array(sizeOf(t));
  encodeInto(t, value, bytes, 0, what);
  return bytes;
}
