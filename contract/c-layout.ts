// C layout, the one place it is computed: how big a value of a C type is, how it is aligned,
// where a struct's fields sit. The compiler lays data out with it; the runtime reads and writes
// the same bytes with it (c-values.ts). The rules are clang's for the BPF target (each scalar at
// its natural alignment, fields in declaration order, a struct's size rounded up to its largest
// alignment); test/unit/c-layout.test.ts holds them against clang. Types are plain data (the
// manifest stores them as JSON): no TypeScript, no native code.

export type IntBits = 8 | 16 | 32 | 64;

/**
 * How user space shows a value whose bytes are a plain integer or byte array (stdlib/formats.d.ts:
 * `SyscallNr`, `Errno`, …): no part of the layout, only of how the runtime decodes and prints it.
 */
export type ValueFormat = "syscall" | "errno" | "ipv4" | "ipv6" | "ksym" | "kstack" | "ustack";

export interface CInt {
  kind: "int";
  bits: IntBits;
  signed: boolean;
  format?: ValueFormat;
  /**
   * A C enum's members (a probe's `const enum`), each value as decimal text (JSON has no
   * bigint): the value codec reads a member's value as its name. Not part of the layout.
   */
  enumerators?: readonly CEnumerator[];
}
export interface CEnumerator {
  name: string;
  value: string;
}
export interface CBool {
  kind: "bool";
}
/** An address, 64 bits. What it points to is not part of the layout (the compiler's Ptr<T> knows). */
export interface CPtr {
  kind: "ptr";
}
/** `length` elements of `elem`, contiguous (C's `elem[length]`). */
export interface CArray {
  kind: "array";
  elem: CType;
  length: number;
  format?: ValueFormat;
}
/** A NUL-terminated string in `length` bytes (C's `char[length]`). */
export interface CStr {
  kind: "str";
  length: number;
}
export interface CField {
  name: string;
  type: CType;
}
export interface CStruct {
  kind: "struct";
  name: string;
  fields: readonly CField[];
}
export type CType = CInt | CBool | CPtr | CArray | CStr | CStruct;

/** Where a struct's fields sit: `offsets[i]` is `fields[i]`'s, in bytes. */
export interface StructLayout {
  readonly size: number;
  readonly align: number;
  readonly offsets: readonly number[];
}

/** An address's size and alignment on BPF (and every 64-bit target the kernel runs BPF for). */
const POINTER_BYTES = 8;
export const POINTER: CPtr = { kind: "ptr" };

export function sizeOf(t: CType): number {
  switch (t.kind) {
    case "int":
      return t.bits >> 3;
    case "bool":
      return 1;
    case "ptr":
      return POINTER_BYTES;
    case "str":
      return t.length;
    case "array":
      return sizeOf(t.elem) * t.length;
    case "struct":
      return structLayout(t).size;
  }
}

export function alignOf(t: CType): number {
  switch (t.kind) {
    case "int":
      return t.bits >> 3;
    case "bool":
    case "str":
      return 1;
    case "ptr":
      return POINTER_BYTES;
    case "array":
      return alignOf(t.elem);
    case "struct":
      return structLayout(t).align;
  }
}

/** `n` rounded up to a multiple of `align`. */
export function alignUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

// A struct's layout is asked for at every field access while lowering and every value decoded:
// computed once per struct object. A CType is therefore never changed once it has been laid out.
const layouts = new WeakMap<CStruct, StructLayout>();
const layingOut = new Set<CStruct>();

export function structLayout(t: CStruct): StructLayout {
  let layout = layouts.get(t);
  if (layout) return layout;
  // A struct that holds itself (not through a pointer) has no size; the compiler refuses one
  // with the author's names before it gets here, this keeps any other caller from recursing forever.
  if (layingOut.has(t)) throw new Error(`struct ${t.name} contains itself`);
  layingOut.add(t);
  try {
    let offset = 0;
    let align = 1;
    const offsets = t.fields.map((f) => {
      const a = alignOf(f.type);
      const at = alignUp(offset, a);
      offset = at + sizeOf(f.type);
      align = Math.max(align, a);
      return at;
    });
    layout = { size: alignUp(offset, align), align, offsets };
  } finally {
    layingOut.delete(t);
  }
  layouts.set(t, layout);
  return layout;
}

/** The values an integer of this width and signedness holds, inclusive. */
export function intRange(t: { bits: number; signed: boolean }): [bigint, bigint] {
  const bits = BigInt(t.bits);
  return t.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

/** An integer type's name as the probe language spells it: u8 … u64, i8 … i64. */
export const intName = (t: CInt): string => `${t.signed ? "i" : "u"}${t.bits}`;

/** The type as the probe language spells it, for messages. */
export function cTypeName(t: CType): string {
  switch (t.kind) {
    case "int":
      return intName(t);
    case "bool":
      return "boolean";
    case "ptr":
      return "pointer";
    case "str":
      return `Str<${t.length}>`;
    case "array":
      return `FixedArray<${cTypeName(t.elem)}, ${t.length}>`;
    case "struct":
      return t.name;
  }
}

/**
 * The type with only the properties above: what the manifest stores. A compiler's type may carry
 * more (an integer's alias name, what a pointer points to, which can make the type cyclic).
 */
export function plainCType<T extends CType>(t: T): T {
  return plain(t) as T;
}

function plain(t: CType): CType {
  switch (t.kind) {
    case "int":
      return { kind: "int", bits: t.bits, signed: t.signed, ...(t.format && { format: t.format }), ...(t.enumerators && { enumerators: t.enumerators.map((e) => ({ name: e.name, value: e.value })) }) };
    case "bool":
    case "ptr":
      return { kind: t.kind };
    case "str":
      return { kind: "str", length: t.length };
    case "array":
      return { kind: "array", elem: plain(t.elem), length: t.length, ...(t.format && { format: t.format }) };
    case "struct":
      return { kind: "struct", name: t.name, fields: t.fields.map((f) => ({ name: f.name, type: plain(f.type) })) };
  }
}
