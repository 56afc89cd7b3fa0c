// The BTF reader and the declarations generator on small BTF files made here: what they read,
// how C names become TypeScript names, that the module type-checks, and that every malformed
// file is a TsbpfError naming it, quickly (no hang, no exception from an array index).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TsbpfError } from "../../contract/errors.js";
import { parseBtf } from "../../compiler/btf/btf-parse.js";
import { kernelDeclarations } from "../../compiler/btf/declarations.js";
import { isIdentifier } from "../../compiler/btf/ts-names.js";
import { BtfBuilder } from "../helpers/btf-builder.js";
import { sample } from "../helpers/btf-sample.js";
import { typeCheckFiles } from "../helpers/type-check.js";

const generate = (bytes: Uint8Array) => kernelDeclarations(parseBtf(bytes, "sample.btf"), ["sample"]).bytes.toString();

test("the reader reads each kind's record", () => {
  const btf = parseBtf(sample().bytes(), "sample.btf");
  const foo = btf.find("foo", 4)!;
  expect(btf.name(foo)).toBe("foo");
  expect(btf.size(foo)).toBe(64);
  expect(btf.members(foo).slice(0, 3)).toEqual([
    { name: "id", type: 1, bitOffset: 0, bitfieldSize: 0 },
    { name: "flag", type: 2, bitOffset: 32, bitfieldSize: 1 },
    { name: "mode", type: 2, bitOffset: 33, bitfieldSize: 3 },
  ]);
  expect(btf.enumValues(btf.find("state", 6)!).map((v) => v.value)).toEqual([1n, 0n, -1n]);
  expect(btf.enumValues(btf.find("big", 19)!).map((v) => v.value)).toEqual([0xffffffffffffffffn, 1n]);
  expect(btf.params(btf.ref(btf.find("open_foo", 12)!)).map((p) => p.name)).toEqual(["new", "", "name"]);
  expect(btf.idsNamed("dup")).toHaveLength(2);
});

test("the ids of some kinds are those types, in id order", () => {
  const btf = parseBtf(sample().bytes(), "sample.btf");
  const all = Array.from({ length: btf.count - 1 }, (_, i) => i + 1);
  for (const kinds of [[4], [4, 5, 7], [12], [8, 13, 19], [14]])
    expect([...btf.idsOf(...kinds)]).toEqual(all.filter((id) => kinds.includes(btf.kind(id))));
});

test.each([
  ["all ASCII", ["ok", "_x$1", "$", "9lives", "a-b", "wake.isra.0", "x y", "a9"]],
  ["with UTF-8", ["ok", "caf\u00e9", "\u00fcber_x", "a-b", "_", "fine_\u4e2d"]],
])("each string of a string section (%s) is an identifier as the loop over its characters says, a suffix too", (_, names) => {
  const b = sample();
  for (const n of names) b.typedef(n, 1);
  const bytes = b.bytes();
  const btf = parseBtf(bytes, "sample.btf");
  const stringBytes = bytes.readUInt32LE(20);
  for (let offset = 0; offset < stringBytes; offset++) expect([offset, btf.identifierAt(offset)]).toEqual([offset, isIdentifier(btf.string(offset))]);
});

test("the declarations name, lay out and type what C has", () => {
  const text = generate(sample().bytes());
  expect(text).toContain('import type { u8, u16, u32, u64, i8, i16, i32, i64, Ptr, FixedArray, Str } from "tsbpf";');
  expect(text).toContain("export interface foo {");
  expect(text).toMatch(/offset 4 bytes, bits 0\.\.0 \*\/\n {2}flag: u8;/);
  expect(text).toMatch(/offset 4 bytes, bits 1\.\.3 \*\/\n {2}mode: u8;/);
  expect(text).toMatch(/offset 8 bytes \*\/\n {2}hash: u64;\n {2}\/\*\* offset 8 bytes \*\/\n {2}len: i32;/); // flattened
  for (const declared of [
    "pair: foo__pair;",
    "export interface foo__pair {",
    "name: Str<16>;", // char[16]: a string
    "self: Ptr<void>;",
    "ok: boolean;",
    "cb: u64;",
    "export type __u8 = u8;",
    "export type foo_t = foo;",
    "export interface string_ {",
    "export type number_ = i32;",
    "export interface dup {\n  /** offset 0 bytes */\n  x: i32;",
    "export interface dup_ {\n  /** offset 0 bytes */\n  y: u64;",
    "export interface opaque {}",
    "export declare const enum state {\n  STATE_ON = 1,\n  STATE_OFF = 0,\n  STATE_ERR = -1,\n}",
    "BIG_MAX = 18446744073709551615,",
    "export declare const FLAG_A: u32;",
    "export type pfoo = Ptr<foo>;",
    'declare module "tsbpf" {\n  interface KernelFunctions {\n',
    "    open_foo(arg0: u8, arg1: i32, name: Ptr<i8>): Ptr<foo>;",
    "    log_foo(fmt: Ptr<i8>, ...rest: u64[]): void;",
    "    in(): i32;", // a property name may be a reserved word: kprobe("in", …) names it as the kernel does
  ])
    expect(text).toContain(declared);
  expect(text).not.toMatch(/export type foo =|export type u8 =/);
  expect(text).not.toMatch(/export interface foo_ /);
  expect(text).not.toContain("export declare const state:");
});

test("the declarations type-check, and a probe's use of them too", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-btf-"));
  try {
    writeFileSync(join(dir, "kernel.d.ts"), generate(sample().bytes()));
    writeFileSync(
      join(dir, "use.ts"),
      'import type { foo, state } from "./kernel";\nimport { type i32, type u64 } from "tsbpf";\nexport const id = (f: foo): i32 => f.id + f.pair.b;\nexport const h = (f: foo): u64 => f.hash;\nexport const s = (x: state) => x;\n',
    );
    expect(typeCheckFiles([join(dir, "kernel.d.ts"), join(dir, "use.ts")])).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the kernel's functions: named as TypeScript calls them, a name again only with another signature; raw tracepoints' arguments", () => {
  const b = new BtfBuilder();
  const int = b.int("int", 4, true);
  const long = b.int("long int", 8, true);
  const task = b.struct("task", 8, [["pid", int, 0]]);
  b.func("wake", int, [["t", b.ptr(task)]]);
  b.func("wake", int, [["t", b.ptr(b.add("const", "", 0, task))]]); // another static copy: the same text, not again
  b.func("wake", long, [["t", b.ptr(task)]]); // another signature: again
  b.func("wake.isra.0", int, [["t", b.ptr(task)]]); // a compiler's clone: no identifier, not declared
  b.func("__traceiter_task_new", int, [["__data", b.ptr(0)], ["t", b.ptr(task)], ["flags", long]]);
  b.typedef("btf_trace_task_new", b.ptr(b.add("funcProto", "", 3, int, [0, b.ptr(0), 0, b.ptr(task), 0, long])));
  b.typedef("btf_trace_task_old", b.ptr(b.add("funcProto", "", 2, int, [0, b.ptr(0), 0, int]))); // no caller: the typedef's unnamed parameters
  const text = generate(b.bytes());
  const lines = text.slice(text.indexOf("interface KernelFunctions {")).split("\n");
  expect(lines.filter((l) => l.includes("wake"))).toEqual(["    wake(t: Ptr<task>): i32;", "    wake(t: Ptr<task>): i64;"]);
  expect(text).toContain("    __traceiter_task_new(__data: Ptr<void>, t: Ptr<task>, flags: i64): i32;");
  expect(text).toContain("  interface RawTracepointArguments {\n    task_new: { t: Ptr<task>; flags: i64; };\n    task_old: { arg1: i32; };\n  }\n");
});

test("the same BTF gives the same bytes; a big-endian BTF the same declarations", () => {
  const bytes = sample().bytes();
  expect(generate(bytes)).toBe(generate(Buffer.from(bytes)));
  expect(generate(bigEndian(bytes))).toBe(generate(bytes));
});

test("a BTF read whole is used in place; one at an odd offset of a larger buffer is copied, with the same declarations", () => {
  const bytes = sample().bytes();
  const inPlace = parseBtf(bytes, "sample.btf") as unknown as { words: Uint32Array };
  expect(inPlace.words.buffer).toBe(bytes.buffer);
  const larger = Buffer.alloc(bytes.length + 3);
  bytes.copy(larger, 3);
  const shifted = larger.subarray(3);
  const copied = parseBtf(shifted, "sample.btf") as unknown as { words: Uint32Array };
  expect(copied.words.buffer).not.toBe(shifted.buffer);
  expect(generate(shifted)).toBe(generate(bytes));
});

/** The file as a big-endian machine writes it: every header field and type word swapped. */
function bigEndian(little: Buffer): Buffer {
  const out = Buffer.from(little);
  out.writeUInt16BE(0xeb9f, 0);
  for (let at = 4; at < 24; at += 4) out.writeUInt32BE(little.readUInt32LE(at), at);
  const typesEnd = 24 + little.readUInt32LE(12);
  for (let at = 24; at < typesEnd; at += 4) out.writeUInt32BE(little.readUInt32LE(at), at);
  return out;
}

/** Parses and generates; the TsbpfError's text if one is thrown (anything else fails the test). */
function outcome(bytes: Uint8Array): string {
  try {
    generate(bytes);
    return "ok";
  } catch (e) {
    if (!(e instanceof TsbpfError)) throw e;
    expect(e.format()).toMatch(/^sample\.btf: error: /);
    return e.message;
  }
}

describe("a file that is not usable BTF is a TsbpfError naming it", () => {
  const good = sample().bytes();
  const withWord = (at: number, value: number) => {
    const b = Buffer.from(good);
    b.writeUInt32LE(value >>> 0, at);
    return b;
  };
  const typeWord = (id: number, word: number) => 24 + findTypeStart(good, id) + word * 4;

  test.each([
    ["empty", Buffer.alloc(0), /fewer than a BTF header/],
    ["zero bytes", Buffer.alloc(4096), /not BTF's magic/],
    ["text", Buffer.from("root:x:0:0:root:/root:/bin/bash\n"), /not BTF's magic 0xeb9f/],
    ["version 2", Buffer.from(good).fill(2, 2, 3), /BTF version 2/],
    ["header length past the end", withWord(4, 1 << 30), /header length/],
    ["type section past the end", withWord(12, 1 << 30), /type section .* runs past the end/],
    ["string section past the end", withWord(20, 0xffffffff), /string section .* runs past the end/],
    ["a huge member count", withWord(typeWord(17, 1), (4 << 24) | 0xffff), /runs past the end of the type section/],
    ["an unknown kind", withWord(typeWord(3, 1), 25 << 24), /kind 25/],
    ["a type id out of range", withWord(typeWord(6, 2), 99999), /refers to type 99999/],
    ["a member's type id out of range", withWord(typeWord(10, 7), 99999), /type 10 \(UNION\) refers to member 1's type 99999/],
    ["a name past the strings", withWord(typeWord(1, 0), 1 << 20), /name at offset 1048576, past the string section/],
    ["a typedef that is its own target", withWord(typeWord(6, 2), 6), /cycle/],
  ])("%s", (_, bytes, message) => {
    expect(outcome(bytes)).toMatch(message);
  });

  test("cut off anywhere", () => {
    const started = Date.now();
    for (let length = 0; length < good.length; length++) expect(outcome(good.subarray(0, length))).not.toBe("ok");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("a thousand random words changed: an answer or a TsbpfError each, quickly", () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const started = Date.now();
    for (let i = 0; i < 1000; i++) {
      const b = Buffer.from(good);
      for (let n = 0; n < 3; n++) b.writeUInt32LE(random() * 2 >>> 0, 24 + 4 * (random() % ((good.length - 24) / 4 - 1)));
      outcome(b);
    }
    expect(Date.now() - started).toBeLessThan(10000);
  });
});

/** The byte offset of type `id`'s record in the type section of a file the builder made. */
function findTypeStart(file: Buffer, id: number): number {
  const btf = parseBtf(file, "x") as unknown as { starts: Uint32Array };
  return btf.starts[id] * 4;
}
