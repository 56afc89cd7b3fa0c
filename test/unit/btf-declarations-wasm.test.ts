// The WebAssembly generator of the kernel's declarations module (compiler/btf/wasm/declarations.c,
// D202) held to the TypeScript generator it follows (declarations.ts, the reference): the same
// bytes and counts for the sample kernel of btf.test.ts, for a kernel of every naming case, for
// thousands of mutated files (where the reference refuses a file, the WebAssembly makes nothing;
// where it makes something, it is the reference's module), and for the running kernel's BTF; a
// string section that is not ASCII is left to TypeScript; and the committed declarations.wasm is
// what build.sh makes of declarations.c.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Script } from "node:vm";
import { packageRoot } from "../../contract/paths.js";
import { KERNEL_BTF, readBtfBytes } from "../../compiler/btf/btf-file.js";
import { parseBtf } from "../../compiler/btf/btf-parse.js";
import { kernelDeclarations, moduleHead, type KernelDeclarations } from "../../compiler/btf/declarations.js";
import { DECLARATIONS_WASM, WasmDeclarations } from "../../compiler/btf/declarations-wasm.js";
import { kernelTypes } from "../../compiler/btf/kernel-types.js";
import { Rng } from "../differential/random.js";
import { BtfBuilder } from "../helpers/btf-builder.js";
import { sample } from "../helpers/btf-sample.js";

const HEADER = ["a test kernel"];

/** The reference's module for `bytes`. */
const typescriptModule = (bytes: Uint8Array, header = HEADER): KernelDeclarations => kernelDeclarations(parseBtf(bytes, "test.btf"), header, "typescript");

/** What the reference makes of `bytes`, or what it threw. */
function reference(bytes: Uint8Array): KernelDeclarations | { threw: unknown } {
  try {
    return typescriptModule(bytes);
  } catch (e) {
    return { threw: e };
  }
}

/** What the WebAssembly makes of `bytes` (a new instance each time: one makes one module), or undefined where it leaves it to TypeScript. */
function fromWasm(bytes: Uint8Array, header = HEADER): KernelDeclarations | undefined {
  return WasmDeclarations.load()!.declare(parseBtf(bytes, "test.btf"), moduleHead(header));
}

/**
 * How `made` differs from `expected`: the first byte where they part, with its line in each, or
 * their counts; undefined where they are the same. A line, not a diff: a vmlinux's module is 10 MB.
 */
function difference(made: KernelDeclarations, expected: KernelDeclarations): string | undefined {
  if (!made.bytes.equals(expected.bytes)) {
    const at = firstDifferentByte(made.bytes, expected.bytes);
    const line = made.bytes.subarray(0, at).toString("utf8").split("\n").length;
    return `the bytes differ from byte ${at} (line ${line}): WebAssembly ${lineAt(made.bytes, at)}, TypeScript ${lineAt(expected.bytes, at)}`;
  }
  const counts = (d: KernelDeclarations) => JSON.stringify(d.counts);
  if (counts(made) !== counts(expected)) return `the counts differ: WebAssembly ${counts(made)}, TypeScript ${counts(expected)}`;
  return undefined;
}

function firstDifferentByte(a: Buffer, b: Buffer): number {
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return at;
}

/** The line of `bytes` that holds byte `at`, quoted. */
function lineAt(bytes: Buffer, at: number): string {
  const start = at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1; // (a negative offset would search from the end)
  const end = bytes.indexOf(10, at);
  return JSON.stringify(bytes.toString("utf8", start, end === -1 ? bytes.length : end));
}

describe("the WebAssembly makes the reference's module, byte for byte", () => {
  test.each([
    ["the sample kernel of btf.test.ts", () => sample().bytes()],
    ["a kernel of every naming case", () => namingKernel().bytes()],
    ["an INT of more than 2^29 bytes, whose size in bits needs more than 32 bits", () => hugeIntKernel().bytes()],
  ])("%s", (_, kernel) => {
    const bytes = kernel();
    const expected = typescriptModule(bytes);
    const made = fromWasm(bytes);
    expect(made).toBeDefined(); // made by the WebAssembly, not left to TypeScript
    expect(difference(made!, expected)).toBeUndefined();
  });
});

test("the kernel of every naming case reaches them (as the reference declares them)", () => {
  const text = typescriptModule(namingKernel().bytes()).bytes.toString("utf8");
  for (const landmark of [
    "export interface string_ {",
    "export type string__ = i32;",
    "export interface dup__ {",
    "export type pair_ = i64;",
    "  a: i32;\n  /** offset 12 bytes */\n  b: i32;", // an anonymous struct in an anonymous union, flattened
    "items: FixedArray<outer__items, 4>;",
    "  A = 1,\n  B = 3,",
    "I64_MIN = -9223372036854775808,",
    "U64_MAX = 18446744073709551615,",
    '  "ctl\\u0001": i32;',
    "  /** offset 49 bytes, bits 0..2 */\n  three_typedef: three_t;",
    "  /** offset 1 bytes, bits 3..33 */\n  wide: u64;",
    "    names(arg0: i32, arg1: i32, arg2: i32, x: i32, x_: i32, x__: i32, arg7: i32, arg7_: i32, arg8: i32, $ok: i32, arg10: i32): void;",
    "    only_variadic(...rest: u64[]): void;",
    "    keywords: { later: i32; wins: i32; x: i32; x_: i32; };",
    "    no_caller: { arg1: Ptr<task>; arg2: i64; };",
  ])
    expect(text).toContain(landmark);
  expect(text).toMatch(/ptr_anon: Ptr<(__anon_\d+)_>;[^]*export interface \1 \{/); // __anon_<id> is a struct's name
});

/**
 * The smallest kernel the mutations found the generators to disagree on: a field of an INT of
 * 0x20000001 bytes and 8 bits. The reference compares the bits with the size times 8 as a
 * number (0x100000008: a bitfield of 8 bits); a product of 32 bits wraps to 8 (no bitfield).
 */
function hugeIntKernel(): BtfBuilder {
  const b = new BtfBuilder();
  const huge = b.add("int", "", 0, 0x20000001, [8]);
  b.struct("s", 1, [["f", huge, 0]]);
  return b;
}

test("a string section that is not ASCII: the WebAssembly makes nothing, and kernelDeclarations the reference's module", () => {
  const b = sample();
  b.struct("caf\u00e9", 4, [["\u00fcber", 1, 0]]);
  const bytes = b.bytes();
  expect(fromWasm(bytes)).toBeUndefined();
  const made = kernelDeclarations(parseBtf(bytes, "test.btf"), HEADER);
  expect(difference(made, typescriptModule(bytes))).toBeUndefined();
  expect(made.bytes.toString("utf8")).toContain('"\u00fcber": i32;');
});

describe("V8's flags are as they were once the module is made (V8 refuses a code cache made under others: tsbpf's modules' cache at the next run)", () => {
  const source = "(function twice(x) { return 2 * x; })";
  // Each script under a name of its own: V8 would otherwise answer from its compilation cache, cachedData unread.
  let scripts = 0;
  const script = (cachedData?: Buffer) => new Script(source, { filename: `flags-${scripts++}.js`, cachedData });
  // Made under the flags the process started with, before any test of this file loads the WebAssembly.
  const startCache = script().createCachedData();
  const acceptedNow = () => !script(startCache).cachedDataRejected;
  const nonAscii = () => {
    const b = sample();
    b.typedef("caf\u00e9", 1);
    return b.bytes();
  };

  test("while it is made, they differ: this test can see it", () => {
    const wasm = WasmDeclarations.load()!;
    expect(acceptedNow()).toBe(false);
    wasm.done();
    expect(acceptedNow()).toBe(true);
  });

  test.each([
    ["a module made", (w: WasmDeclarations) => expect(w.declare(parseBtf(sample().bytes(), "test.btf"), moduleHead(HEADER))).toBeDefined()],
    ["a string section left to TypeScript", (w: WasmDeclarations) => expect(w.declare(parseBtf(nonAscii(), "test.btf"), moduleHead(HEADER))).toBeUndefined()],
    ["a file that traps (a cycle)", (w: WasmDeclarations) => expect(w.declare(parseBtf(cycle(), "test.btf"), moduleHead(HEADER))).toBeUndefined()],
  ])("after %s", (_what, use) => {
    use(WasmDeclarations.load()!);
    expect(acceptedNow()).toBe(true);
  });
});

/** A typedef that is its own target: the reference calls it a cycle; the WebAssembly traps. */
function cycle(): Uint8Array {
  const b = sample();
  const next = b.int("filler", 4) + 1;
  b.struct("holder", 8, [["x", b.typedef("loop", next), 0]]);
  return b.bytes();
}

/** Whether `file` can be read by this process. */
function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** A module's header: its first lines, the comments before the import line, without their `// `. */
const headerOf = (module: Buffer): string[] =>
  module
    .toString("utf8", 0, module.indexOf("import type "))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.slice("// ".length));

test("the running kernel's BTF: kernelTypes(), which reads it into the WebAssembly's memory, makes the reference's module", () => {
  if (!readable(KERNEL_BTF)) return console.log(`skipped: ${KERNEL_BTF} is not readable here (a kernel built without CONFIG_DEBUG_INFO_BTF)`);
  const made = kernelTypes();
  // The header names the kernel and the BTF's hash: the reference is given kernelTypes' own.
  const header = headerOf(made.bytes);
  expect(header[0]).toMatch(/^Kernel types of Linux /);
  const bytes = readBtfBytes(KERNEL_BTF);
  expect(fromWasm(bytes, header)).toBeDefined(); // the WebAssembly makes it: kernelTypes() did not fall back to TypeScript
  expect(difference(made, typescriptModule(bytes, header))).toBeUndefined();
});

const BUILD_SCRIPT = join(packageRoot, "compiler", "btf", "wasm", "build.sh");
/** The linker build.sh names. */
const WASM_LD = "/usr/lib/llvm-14/bin/wasm-ld";

/** Why build.sh cannot run here, or undefined. */
function missingBuildTools(): string | undefined {
  if (spawnSync("clang-14", ["--version"]).error) return "no clang-14 here (Debian: clang-14)";
  if (!existsSync(WASM_LD)) return `no ${WASM_LD} here (Debian: lld-14)`;
  return undefined;
}

test("the committed declarations.wasm is what build.sh makes of declarations.c", () => {
  const missing = missingBuildTools();
  if (missing) return console.log(`skipped: ${missing}: declarations.wasm cannot be built to compare`);
  const folder = mkdtempSync(join(tmpdir(), "tsbpf-wasm-"));
  try {
    const built = join(folder, "declarations.wasm");
    execFileSync("bash", [BUILD_SCRIPT, built], { stdio: ["ignore", "ignore", "pipe"] });
    const verdict = readFileSync(built).equals(readFileSync(DECLARATIONS_WASM))
      ? "the build of declarations.c"
      : "not the build of declarations.c: run compiler/btf/wasm/build.sh and commit the declarations.wasm it writes";
    expect(verdict).toBe("the build of declarations.c");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

// Mutants: a few words of a kernel's type section changed, now and then a byte of its string
// section. Random words alone are mostly refused by the parser; small numbers are type ids,
// counts and offsets, a flipped bit changes one field of a packed word (kind, count, kind flag,
// bitfield size), a word copied from elsewhere is a type id or a name offset somewhere else, and
// a changed ASCII byte makes names collide, lose their identifier or end early. Mutant `index`
// of seed `seed` depends on nothing else: a failure names both, and mutant() rebuilds the file.
// TSBPF_BTF_MUTATION_SEED runs other mutants than the fixed seed's.
const MUTATION_SEED = Number(process.env.TSBPF_BTF_MUTATION_SEED ?? 20240601);
const MUTANTS_PER_KERNEL = 2500;

/** Mutant `index` of `seed`, of the BTF file `good`. */
function mutant(good: Buffer, seed: number, index: number): Buffer {
  const rng = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const bytes = Buffer.from(good);
  const typeWords = good.readUInt32LE(12) / 4;
  const changes = rng.int(1, 3);
  for (let n = 0; n < changes; n++) {
    const at = 24 + 4 * rng.int(0, typeWords - 1);
    bytes.writeUInt32LE(mutatedWord(rng, bytes.readUInt32LE(at), () => bytes.readUInt32LE(24 + 4 * rng.int(0, typeWords - 1))), at);
  }
  if (rng.chance(0.2)) {
    // Not the section's first or last byte (NULs, or the parser refuses it); ASCII, or the WebAssembly makes nothing.
    const strings = 24 + 4 * typeWords;
    bytes[rng.int(strings + 1, good.length - 2)] = rng.int(0, 0x7f);
  }
  return bytes;
}

function mutatedWord(rng: Rng, word: number, another: () => number): number {
  switch (rng.int(0, 3)) {
    case 0:
      return rng.next();
    case 1:
      return rng.int(0, 64);
    case 2:
      return (word ^ (1 << rng.int(0, 31))) >>> 0;
    default:
      return another();
  }
}

/**
 * What is wrong with the WebAssembly's answer for `bytes`, or undefined: where the reference
 * throws, it must make nothing (undefined, never an exception); where the reference makes a
 * module, it makes nothing or the same.
 */
function wrongAnswer(bytes: Buffer): string | undefined {
  const expected = reference(bytes);
  let made: KernelDeclarations | undefined;
  try {
    made = fromWasm(bytes);
  } catch (e) {
    return `the WebAssembly threw ${String(e)}`;
  }
  if ("threw" in expected) return made === undefined ? undefined : `the reference threw (${String(expected.threw)}), the WebAssembly made a module`;
  return made && difference(made, expected);
}

const isUsableBtf = (bytes: Buffer) => {
  try {
    parseBtf(bytes, "mutant.btf");
    return true;
  } catch {
    return false;
  }
};

/** The first mutant of `good` the WebAssembly answers wrongly (said with its seed and index), and how many were usable BTF. */
function firstWrongMutant(good: Buffer, seed: number): { wrong: string | undefined; usable: number } {
  let usable = 0;
  for (let index = 0; index < MUTANTS_PER_KERNEL; index++) {
    const bytes = mutant(good, seed, index);
    if (!isUsableBtf(bytes)) continue;
    usable++;
    const wrong = wrongAnswer(bytes);
    if (wrong) return { wrong: `mutant ${index} of seed ${seed}: ${wrong}`, usable };
  }
  return { wrong: undefined, usable };
}

describe(`mutated kernels (seed ${MUTATION_SEED}): nothing, or the reference's module`, () => {
  test.each([
    ["the sample kernel", () => sample().bytes()],
    ["the kernel of every naming case", () => namingKernel().bytes()],
  ])("%s", (_, kernel) => {
    const { wrong, usable } = firstWrongMutant(kernel(), MUTATION_SEED);
    expect(wrong).toBeUndefined();
    expect(usable).toBeGreaterThan(MUTANTS_PER_KERNEL / 5); // the parser lets enough through to the generators
  });
});

/**
 * A kernel of the cases where names are decided: C names TypeScript refuses or that collide,
 * anonymous types named by their place or on first use, members and parameters named twice,
 * extreme enum values, fields named as no identifier, bitfields both ways, functions given
 * twice, raw tracepoints with and without their caller.
 */
function namingKernel(): BtfBuilder {
  const b = new BtfBuilder();
  const t = basicTypes(b);
  collidingNames(b, t);
  anonymousComposites(b, t);
  enums(b);
  oddFields(b, t);
  functions(b, t);
  rawTracepoints(b, t);
  otherKinds(b, t);
  return b;
}

type Basic = ReturnType<typeof basicTypes>;

function basicTypes(b: BtfBuilder) {
  return {
    int: b.int("int", 4, true),
    uint: b.int("unsigned int", 4),
    char: b.add("int", "char", 0, 1, [((1 | 2) << 24) | 8]), // signed, and C's char by its encoding
    uchar: b.int("unsigned char", 1),
    schar: b.int("signed char", 1, true),
    short: b.int("short", 2, true),
    long: b.int("long int", 8, true),
    ulong: b.int("long unsigned int", 8),
    int128: b.int("__int128", 16, true),
    int24: b.int("int24", 3, true), // no integer of TypeScript's: its bytes
    bool: b.int("_Bool", 1, false, true),
    float: b.add("float", "float", 0, 4),
    longDouble: b.add("float", "long double", 0, 16),
  };
}

function collidingNames(b: BtfBuilder, t: Basic): void {
  // Reserved words and TypeScript's predefined types, as tags and typedefs, the same name as both.
  b.struct("string", 4, [["x", t.int, 0]]);
  b.typedef("string", t.int);
  b.typedef("number", t.uint);
  b.struct("in", 4, [["default", t.int, 0]]);
  b.struct("any", 4, [["in", t.int, 0]]);
  b.enum("default", 4, [["DEFAULT_A", 0]]);
  b.struct("undefined", 4, [["new", t.int, 0]], true);
  // tsbpf's names: the imports, the interfaces the module augments.
  b.struct("u8", 1, [["x", t.uchar, 0]]);
  b.typedef("Ptr", b.ptr(t.int));
  b.struct("KernelFunctions", 4, [["x", t.int, 0]]);
  // typedefs that are tsbpf's integers (nothing to declare), and one that is another integer.
  b.typedef("u32", t.uint);
  b.typedef("i64", t.long);
  b.typedef("u16", t.int);
  // The same tag three times, then a typedef taking a name the tags took.
  b.struct("dup", 4, [["a", t.int, 0]]);
  b.struct("dup", 8, [["b", t.long, 0]]);
  b.add("union", "dup", 1, 4, [b.str("c"), t.int, 0]);
  b.typedef("dup_", t.int);
  // A struct and a typedef of one name: of the struct itself (nothing to declare), of another type.
  const node = b.struct("node", 8, [["next", 0, 0]]);
  b.typedef("node", node);
  b.struct("pair", 8, [["x", t.int, 0], ["y", t.int, 32]]);
  b.typedef("pair", t.long);
  b.typedef("pair_t", b.add("const", "", 0, b.add("volatile", "", 0, node)));
  // Names that are no identifier.
  b.struct("a.b", 4, [["x", t.int, 0]]);
  b.struct("9lives", 4, [["x", t.int, 0]]);
  b.typedef("a-b", t.int);
  b.typedef("", t.int);
  // Forward declarations: of a defined tag, of none, a union's; an enum's without and with its definition.
  b.add("fwd", "pair", 0, 0);
  b.add("fwd", "opaque", 0, 0);
  b.add("fwd", "opaque_u", 0, 0, [], true);
  b.add("enum", "later", 0, 4);
  b.add("enum", "never_defined", 0, 4);
  b.enum("later", 4, [["LATER_A", 1]]);
  b.struct("task_struct", 8, [["pid", t.int, 0], ["tgid", t.int, 32]]);
}

function anonymousComposites(b: BtfBuilder, t: Basic): void {
  const ab = b.struct("", 8, [["a", t.int, 0], ["b", t.int, 32]]);
  const abOrC = b.struct("", 8, [["", ab, 0], ["c", t.long, 0], ["id", t.int, 0]], true); // `id` again: the parent's is kept
  const deep = b.struct("", 4, [["deep", t.int, 0]]);
  const named = b.struct("", 8, [["inner", deep, 0], ["e", t.int, 32]]);
  const item = b.struct("", 4, [["f", t.int, 0]]);
  const cell = b.struct("", 1, [["g", t.char, 0]]);
  const pointed = b.struct("", 4, [["h", t.int, 0]]); // only behind a pointer: __anon_<id>, but a struct takes that name
  const pointedByTypedef = b.struct("", 4, [["k", t.int, 0]]);
  b.struct("outer", 96, [
    ["id", t.int, 0],
    ["", abOrC, 64],
    ["named_anon", named, 128],
    ["items", b.array(item, 4, t.int), 192],
    ["grid", b.array(b.array(cell, 3, t.int), 2, t.int), 320],
    ["ptr_anon", b.ptr(pointed), 384],
    ["again", named, 448], // the same anonymous struct through a second field: named by the first
  ]);
  b.struct(`__anon_${pointed}`, 4, [["x", t.int, 0]]);
  b.typedef("anon_ptr_t", b.ptr(pointedByTypedef));
  b.typedef("anon_t", b.struct("", 4, [["x", t.int, 0]]));
  b.typedef("anon_u", b.add("union", "", 2, 8, [b.str("l"), t.long, 0, b.str("i"), t.int, 0]));
  b.typedef("anon_e", b.enum("", 4, [["ANON_E_A", 0]]));
  b.typedef("anon_e_again", b.enum("", 4, [["ANON_E_A", 0]]));
}

/** ENUM64's value: its low and high words. */
const words64 = (value: bigint): [number, number] => [Number(BigInt.asUintN(64, value) & 0xffffffffn), Number(BigInt.asUintN(64, value) >> 32n)];

function enum64(b: BtfBuilder, name: string, values: [string, bigint][], signed: boolean): number {
  return b.add("enum64", name, values.length, 8, values.flatMap(([n, v]) => [b.str(n), ...words64(v)]), signed);
}

function enums(b: BtfBuilder): void {
  b.enum("dup_members", 4, [["A", 1], ["A", 2], ["B", 3]]);
  b.enum("limits", 4, [["INT_MIN", -0x80000000], ["INT_MAX", 0x7fffffff], ["MINUS_ONE", -1]], true);
  b.enum("ulimits", 4, [["UINT_MAX", 0xffffffff], ["ZERO", 0]]);
  b.enum("quoted", 4, [["A-B", 1], ["9x", 2], ['q"', 3], ["default", 4]]);
  enum64(b, "u64_limits", [["U64_MAX", 0xffffffffffffffffn], ["U64_TOP", 1n << 63n], ["U64_ZERO", 0n]], false);
  enum64(b, "i64_limits", [["I64_MIN", -(1n << 63n)], ["I64_MAX", (1n << 63n) - 1n], ["I64_MINUS_ONE", -1n], ["I64_ZERO", 0n]], true);
  // Anonymous: constants, where the name is a usable value's and free.
  b.enum("", 4, [["CONST_A", 1], ["default", 2], ["in", 3], ["outer", 4], ["dup_members", 5], ["CONST_A", 6], ["a b", 7], ["u8", 8], ["rest", 9]]);
  b.enum("", 1, [["SMALL", 0xff]]);
  b.enum("", 2, [["SIGNED_SHORT", -2]], true);
  b.enum("", 3, [["ODD_SIZE", 1]]);
  enum64(b, "", [["ANON64_MIN", -(1n << 63n)]], true);
  enum64(b, "", [["ANON64_MAX", 0xffffffffffffffffn]], false);
}

function oddFields(b: BtfBuilder, t: Basic): void {
  const threeBits = b.add("int", "three_bits", 0, 1, [3]); // 3 bits of a byte: a bitfield without the kind flag
  const threeBitsTypedef = b.typedef("three_t", b.add("const", "", 0, threeBits));
  b.struct("odd_fields", 64, [
    ['a"b', t.int, 0],
    ["back\\slash", t.int, 32],
    ["ctl\x01", t.int, 64],
    ["with space", t.int, 96],
    ["tab\there", t.int, 128],
    ["del\x7f", t.int, 160],
    ["9lives", t.int, 192],
    ["$dollar", t.int, 224],
    ["x", t.int, 256],
    ["x", t.long, 320], // a name again: only the first
    ["three", threeBits, 389],
    ["three_typedef", threeBitsTypedef, 392],
    ["unaligned", t.int, 403], // a whole int at a bit offset: bits 3..3
    ["flag", t.bool, 448],
    ["far", t.int, 0xfffffff8],
  ]);
  b.struct("bits", 16, [
    ["one", t.uint, 0, 1],
    ["three", t.uint, 1, 3],
    ["seven", t.uchar, 4, 7],
    ["wide", t.ulong, 11, 31],
    ["whole", t.int, 64, 0], // the kind flag, but no bitfield
    ["odd", t.int, 99, 0],
    ["far", t.int, 0xfffff8, 8],
  ]);
  b.add("union", "bits_u", 2, 4, [b.str("lo"), t.uint, (4 << 24) | 0, b.str("hi"), t.uint, (4 << 24) | 4], true);
  b.struct("arrays", 64, [
    ["name", b.array(t.char, 16, t.int), 0],
    ["uname", b.array(t.uchar, 4, t.int), 128],
    ["sname", b.array(t.schar, 4, t.int), 160],
    ["empty", b.array(t.char, 0, t.int), 192],
    ["names", b.array(b.array(t.char, 8, t.int), 2, t.int), 192],
    ["ints", b.array(t.int, 3, t.int), 320],
    ["big", t.int128, 384],
    ["three_bytes", t.int24, 416],
    ["f", t.float, 448],
    ["ld", t.longDouble, 448],
  ]);
}

function functions(b: BtfBuilder, t: Basic): void {
  const proto = b.add("funcProto", "", 1, t.int, [b.str("x"), t.int]);
  b.add("func", "same_fn", 1, proto);
  b.add("func", "same_fn", 1, proto); // the same prototype again: not again
  b.func("same_text", t.int, [["x", t.int]]);
  b.func("same_text", t.int, [["x", b.add("const", "", 0, t.int)]]); // another prototype of the same text: not again
  b.func("overloaded", t.int, [["x", t.int]]);
  b.func("overloaded", t.long, [["x", t.int]]);
  b.func("overloaded", t.int, [["x", t.int]]);
  b.func("overloaded", t.int, [["y", t.int]]);
  b.func("fn.isra.0", t.int, []); // no identifier: not declared
  b.func("in", t.int, []);
  b.func("variadic", t.int, [["fmt", b.ptr(t.char)], ["", 0]]);
  b.func("only_variadic", 0, [["", 0]]);
  b.func("names", 0, [["rest", t.int], ["new", t.int], ["default", t.int], ["x", t.int], ["x", t.int], ["x", t.int], ["arg7", t.int], ["", t.int], ["a b", t.int], ["$ok", t.int], ["arg10", t.int]]);
  b.func("void_param", 0, [["v", 0], ["x", t.int]]);
  b.func("callback", 0, [["cb", b.ptr(proto)]]);
  b.add("func", "not_a_prototype", 1, t.int);
  b.func("returns_anon", b.ptr(b.struct("", 4, [["r", t.int, 0]])), []);
}

/** A raw tracepoint's typedef: btf_trace_<event>, a pointer to a prototype of `params` (unnamed). */
function traceTypedef(b: BtfBuilder, event: string, returns: number, params: number[]): number {
  return b.typedef(`btf_trace_${event}`, b.ptr(b.add("funcProto", "", params.length, returns, params.flatMap((p) => [0, p]))));
}

function rawTracepoints(b: BtfBuilder, t: Basic): void {
  const data = b.ptr(0);
  const task = b.ptr(b.struct("task", 4, [["pid", t.int, 0]]));
  traceTypedef(b, "with_caller", t.int, [data, task, t.int]);
  b.func("__traceiter_with_caller", t.int, [["__data", data], ["p", task], ["flags", t.int]]);
  traceTypedef(b, "no_caller", t.int, [data, task, t.long]);
  traceTypedef(b, "only_data", t.int, [data]);
  traceTypedef(b, "no_params", t.int, []);
  b.typedef("btf_trace_not_a_pointer", t.int);
  traceTypedef(b, "caller_no_prototype", t.int, [data, t.int]);
  b.add("func", "__traceiter_caller_no_prototype", 1, t.int);
  traceTypedef(b, "a.b", t.int, [data, t.int]);
  traceTypedef(b, "", t.int, [data, t.int]);
  traceTypedef(b, "keywords", t.int, [data, t.int, t.int, t.int, t.int]);
  b.func("__traceiter_keywords", t.int, [["__data", data], ["new", t.int], ["rest", t.int], ["x", t.int], ["x", t.int]]);
  b.func("__traceiter_keywords", t.int, [["__data", data], ["later", t.int], ["wins", t.int], ["x", t.int], ["x", t.int]]); // the last caller is the one
  b.typedef("btf_trace_constant", b.add("const", "", 0, b.ptr(b.add("const", "", 0, b.add("funcProto", "", 2, 0, [0, data, 0, t.char])))));
  b.func("__traceiter_caller_only", t.int, [["__data", data]]);
}

/** Kinds that declare nothing, and a type tag, which is no part of a type's text. */
function otherKinds(b: BtfBuilder, t: Basic): void {
  const user = b.add("typeTag", "user", 0, t.int);
  b.struct("tagged", 8, [["p", b.ptr(user), 0]]);
  const variable = b.add("var", "a_variable", 0, t.int, [1]);
  b.add("datasec", ".data", 1, 4, [variable, 0, 4]);
  b.add("declTag", "a_tag", 0, variable, [0xffffffff]);
  b.typedef("of_a_function", b.func("a_function", t.int, []));
  b.typedef("restricted", b.add("restrict", "", 0, b.ptr(t.int)));
}
