// The contract's C layout (contract/c-layout.ts) against clang's for the BPF target: each type's
// size and alignment and each struct field's offset, for padding between fields, at the end, in
// nested structs and arrays of structs.
import { alignOf, plainCType, sizeOf, structLayout, type CStruct, type CType } from "../../contract/c-layout.js";
import { clangConstants, cDeclaration, structDefinitions } from "../helpers/clang-bpf.js";
import { array, bool, i16, i32, i64, i8, INTS, ptr, str, struct, u16, u32, u64, u8 } from "../helpers/c-types.js";

const Pad = struct("Pad", { a: u8, b: u64 });
const Tail = struct("Tail", { a: u64, b: u8 });
const Mixed = struct("Mixed", { a: u8, b: u16, c: u8, d: u32, e: u8 });
const Bytes = struct("Bytes", { a: u8, b: bool, c: str(3) });
const WithPtr = struct("WithPtr", { a: u32, p: ptr, b: u16 });
const Nested = struct("Nested", { a: u8, inner: Mixed, z: u16, bytes: Bytes, last: i8 });
const Arrays = struct("Arrays", { a: u8, xs: array(u16, 3), y: u32, grid: array(array(u8, 3), 2), s: str(5), q: i64, flags: array(bool, 3) });
const StructArray = struct("StructArray", { n: u8, items: array(Pad, 2), tails: array(Tail, 3), t: i8 });
const Signed = struct("Signed", { a: i8, b: i16, c: i8, d: i32, e: i8, f: i64 });
const Deep = struct("Deep", { head: u16, body: array(StructArray, 2), nested: Nested, arrays: Arrays, withPtr: WithPtr, ints: Signed });
const STRUCTS: CStruct[] = [Pad, Tail, Mixed, Bytes, WithPtr, Nested, Arrays, StructArray, Signed, Deep];

const NON_STRUCTS: [string, CType][] = [
  ...Object.entries(INTS),
  ["bool", bool],
  ["ptr", ptr],
  ["Str<7>", str(7)],
  ["FixedArray<u32, 5>", array(u32, 5)],
  ["FixedArray<FixedArray<u16, 3>, 2>", array(array(u16, 3), 2)],
  ["FixedArray<Tail, 2>", array(Tail, 2)],
];

/** Each struct's size, alignment and offsets, and each other type's size and alignment. */
function contractLayouts(): Record<string, unknown> {
  return Object.fromEntries([
    ...STRUCTS.map((s) => [s.name, { ...structLayout(s), offsets: [...structLayout(s).offsets] }]),
    ...NON_STRUCTS.map(([name, t]) => [name, { size: sizeOf(t), align: alignOf(t) }]),
  ]);
}

function clangLayouts(): Record<string, unknown> {
  const typedefs = NON_STRUCTS.map(([, t], i) => `typedef ${cDeclaration(t, `T${i}`)};`).join("\n");
  const expressions = [
    ...STRUCTS.flatMap((s) => [`sizeof(struct ${s.name})`, `_Alignof(struct ${s.name})`, ...s.fields.map((f) => `__builtin_offsetof(struct ${s.name}, ${f.name})`)]),
    ...NON_STRUCTS.flatMap((_, i) => [`sizeof(T${i})`, `_Alignof(T${i})`]),
  ];
  const values = clangConstants(`${structDefinitions([...STRUCTS, ...NON_STRUCTS.map(([, t]) => t)])}\n${typedefs}`, expressions);
  let at = 0;
  const next = () => values[at++];
  return Object.fromEntries([
    ...STRUCTS.map((s) => [s.name, { size: next(), align: next(), offsets: s.fields.map(next) }]),
    ...NON_STRUCTS.map(([name]) => [name, { size: next(), align: next() }]),
  ]);
}

test("sizes, alignments and field offsets are clang's for the BPF target", () => {
  expect(contractLayouts()).toEqual(clangLayouts());
});

test("padding goes between fields and at the end, as C places it", () => {
  // Written out, so that a reader sees the rules and a change in both the contract and clang's
  // reading of the test types cannot pass unnoticed.
  expect(structLayout(Pad)).toEqual({ size: 16, align: 8, offsets: [0, 8] });
  expect(structLayout(Tail)).toEqual({ size: 16, align: 8, offsets: [0, 8] });
  expect(structLayout(Mixed)).toEqual({ size: 16, align: 4, offsets: [0, 2, 4, 8, 12] });
  expect(structLayout(Bytes)).toEqual({ size: 5, align: 1, offsets: [0, 1, 2] });
  expect(structLayout(StructArray)).toEqual({ size: 24 + 16 + 48 + 8, align: 8, offsets: [0, 8, 40, 88] });
});

test("a struct is laid out once, and the layout does not depend on the names", () => {
  expect(structLayout(Nested)).toBe(structLayout(Nested));
  const renamed = struct("Other", { x: u8, y: u64 });
  expect(structLayout(renamed)).toEqual(structLayout(Pad));
});

test("a struct that contains itself is refused, not recursed into forever", () => {
  const fields: { name: string; type: CType }[] = [{ name: "a", type: u8 }];
  const Loop: CStruct = { kind: "struct", name: "Loop", fields };
  fields.push({ name: "again", type: array(Loop, 1) });
  expect(() => sizeOf(Loop)).toThrow("struct Loop contains itself");
});

test("plainCType keeps only the contract's properties: a compiler's type becomes JSON", () => {
  const compilerType = {
    kind: "struct" as const,
    name: "Event",
    fields: [
      { name: "pid", type: { kind: "int" as const, bits: 32 as const, signed: false, name: "u32" } },
      { name: "where", type: { kind: "ptr" as const, to: { kind: "int" as const, bits: 8 as const, signed: false, name: "u8" }, space: "user" } },
    ],
  };
  const plain = plainCType(compilerType);
  expect(JSON.parse(JSON.stringify(plain))).toEqual(struct("Event", { pid: u32, where: ptr }));
  expect(structLayout(plain)).toEqual(structLayout(compilerType));
});

test("plainCType keeps a const enum's members, as JSON (the runtime decodes a value by its name)", () => {
  const enumerators = [{ name: "Idle", value: "0" }];
  const compilerType = { kind: "int" as const, bits: 32 as const, signed: true, name: "State", members: [{ name: "Idle", value: 0n }], enumerators };
  expect(JSON.parse(JSON.stringify(plainCType(compilerType)))).toEqual({ kind: "int", bits: 32, signed: true, enumerators });
});
