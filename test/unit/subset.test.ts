// Every rule of the probe language's subset: a snippet that breaks it, the stable code it gets,
// and where. Valid snippets compile. (docs/language.md lists the same rules.)
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TsbpfError } from "../../compiler/compile.js";
import { compileErrorOf } from "../helpers/compile-error.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-subset-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'import { tracepoint, xdp, printk, pid, param, u8, u16, u32, u64, i8, i16, i32, i64, XDP_PASS } from "tsbpf";\n';
let n = 0;

/** Compiles `body` (after a one-line import header) and returns the error, if any. */
function compileBody(body: string): TsbpfError | undefined {
  const file = join(dir, `case${n++}.ts`);
  writeFileSync(file, (body.includes("FixedArray") ? HEADER.replace("import {", "import { type FixedArray,") : HEADER) + body);
  return compileErrorOf(file);
}

const tp = (body: string) => `export const t = tracepoint("syscalls/sys_enter_syncfs", () => {\n${body}\n});\n`;

// [rule, source (line 1 is the import header), code, line, column]
const refused: [string, string, string, number, number][] = [
  ["float literal", tp("  let x: u32 = 1.5;"), "TSB2001", 3, 16],
  ["float in exponent form", tp("  let x: u64 = 1e3;"), "TSB2001", 3, 16],
  ["closure (arrow function)", tp("  const f = (x: u32) => x + 1;"), "TSB2002", 3, 13],
  ["closure (nested function)", tp("  function inner(): u32 { return 1; }"), "TSB2002", 3, 12],
  ["class", "class C { x: u32 = 0; }\n" + tp(""), "TSB2003", 2, 1],
  ["new", tp("  const d = new Array(4);"), "TSB2004", 3, 13],
  ["string value", tp('  const s = "hello";'), "TSB2005", 3, 13],
  ["template string", tp("  const s = `hi`;"), "TSB2005", 3, 13],
  ["direct recursion", "function f(n: u32): u32 { return n === 0 ? 0 : f(n - 1); }\n" + tp('  printk("%d", f(3));'), "TSB2006", 2, 48],
  ["mutual recursion", "function f(n: u32): u32 { return g(n); }\nfunction g(n: u32): u32 { return f(n); }\n" + tp('  printk("%d", f(3));'), "TSB2006", 3, 34],
  ["throw", tp("  throw 1;"), "TSB2007", 3, 3],
  ["try", tp("  try { pid(); } finally { pid(); }"), "TSB2007", 3, 3],
  ["async", "async function f(): Promise<void> {}\n" + tp(""), "TSB2008", 2, 1],
  ["await", "function f(): void {\n  await 1;\n}\n" + tp(""), "TSB2008", 3, 3],
  ["generator", "function* g(): Generator<u32> { yield 1; }\n" + tp(""), "TSB2009", 2, 1],
  ["any", tp("  let x: any = 1;"), "TSB2010", 3, 10],
  ["unknown", tp("  let x: unknown = 1;"), "TSB2010", 3, 10],
  ["dynamic property access", "function at(xs: u32[], i: u32): u32 { return xs[i]; }\n" + tp(""), "TSB2011", 2, 46],
  ["unbounded while", tp("  let i: u32 = 0;\n  while (i < 10) { i = i * 2; }"), "TSB2012", 4, 20],
  ["loop without a condition", tp("  for (;;) { pid(); }"), "TSB2012", 3, 3],
  ["loop whose bound is not constant", tp("  const n: u32 = pid();\n  for (let i: u32 = 0; i < n; i++) { pid(); }"), "TSB2012", 4, 28],
  ["loop counter that wraps first", tp("  for (let i: u8 = 0; i <= 255; i++) { pid(); }"), "TSB2012", 3, 28],
  ["loop that assigns its counter", tp("  for (let i: u32 = 0; i < 10; i++) { i = 0; }"), "TSB2012", 3, 39],
  ["continue skipping a while step", tp("  let i: u32 = 0;\n  while (i < 10) { if (pid() === 1) continue; i++; }"), "TSB2012", 4, 37],
  ["import from elsewhere", 'import { readFileSync } from "fs";\n' + tp(""), "TSB2013", 2, 30],
  ["any in an expression", tp("  const x: u32 = pid();\n  (x as any).toString();"), "TSB2010", 4, 9],
  ["calling a method", "interface S { f(): u32 }\nfunction g(s: S): u32 { return s.f(); }\n" + tp(""), "TSB2014", 3, 32],
  ["calling an ambient function", "declare function ext(): u32;\n" + tp("  printk(\"%d\", ext());"), "TSB2014", 4, 16],
  ["ambient constant", "declare const K: u32;\n" + tp(""), "TSB1001", 2, 1],
  ["a map of more entries than BTF can say", "import { ArrayMap } from \"tsbpf\";\nexport const m = new ArrayMap<u64>(1073741824);\n" + tp(""), "TSB1111", 3, 36],
  ["a top-level call (never runs)", "pid();\n" + tp(""), "TSB1001", 2, 1],
  ["a top-level loop (never runs)", "for (let i = 0; i < 3; i++) {}\n" + tp(""), "TSB1001", 2, 1],
  ["console", tp('  console.log("x");'), "TS2584", 3, 3],
  ["Math", tp("  const x: u32 = Math.max(1, 2);"), "TS2304", 3, 18],
  ["implicit narrowing", tp("  const a: u64 = 1;\n  const b: u32 = a;"), "TS2322", 4, 9],
  ["mutable global", "let counter: u32 = 0;\n" + tp(""), "TSB1105", 2, 5],
  ["non-literal tracepoint name", 'export const t = tracepoint(pid() > 0 ? "syscalls/sys_enter_syncfs" : "syscalls/sys_enter_sync", () => {});\n', "TSB1101", 2, 29],
  ["malformed tracepoint name", 'export const t = tracepoint("sys_enter_syncfs", () => {});\n', "TSB1102", 2, 29],
  ["program inside a function", "function f(): void { tracepoint(\"a/b\", () => {}); }\n" + tp(""), "TSB1103", 2, 22],
  ["param default not a literal", 'const D: u32 = 3;\nconst P = param<u32>("P", D);\n' + tp(""), "TSB1106", 3, 27],
  ["param default out of range", 'const P = param<u8>("P", 300);\n' + tp(""), "TSB1106", 2, 26],
  ["non-constant switch label", tp("  const a: u32 = pid();\n  switch (pid()) { case a: break; }"), "TSB1107", 4, 25],
  ["printk format not a literal", tp("  const f = 1;\n  printk(f as any);"), "TSB2010", 4, 15],
  ["printk argument count", tp('  printk("%d %d", pid());'), "TSB1202", 3, 3],
  ["printk conversion", tp('  printk("%f", pid());'), "TSB1203", 3, 10],
  ["a Str in arithmetic", "import { comm } from \"tsbpf\";\n" + tp("  const s = comm() + 1;"), "TSB1002", 4, 13],
  ["comparing structs", "interface P { x: u32 }\n" + tp("  const a: P = { x: 1 };\n  if (a === a) pid();"), "TSB1002", 5, 7],
  ["default parameter", "function f(a: u32, b: u32 = 2): u32 { return a + b; }\n" + tp(""), "TSB1001", 2, 20],
  ["ordering pointers", "import { userPtr } from \"tsbpf\";\n" + tp("  const a = userPtr<u8>(1);\n  if (a < a) pid();"), "TSB1002", 5, 7],
  ["reading a user pointer as kernel memory", "import { userPtr, readKernel } from \"tsbpf\";\n" + tp("  const v = readKernel(userPtr<u64>(1));"), "TS2345", 4, 24],
  ["printk %s of an integer", tp('  printk("%s", pid());'), "TSB1204", 3, 16],
  ["Str of another size", "import { comm, type Str } from \"tsbpf\";\n" + tp("  const s: Str<8> = comm();"), "TS2322", 4, 9],
  ["ordering strings", "import { comm } from \"tsbpf\";\n" + tp("  if (comm() < comm()) pid();"), "TSB2019", 4, 7],
  ["ordering a Str and a literal", "import { comm } from \"tsbpf\";\n" + tp('  if (comm() >= "bash") pid();'), "TSB2019", 4, 7],
  ["startsWith of a Str, not a literal", "import { comm } from \"tsbpf\";\n" + tp("  const s = comm();\n  if (s.startsWith(comm())) pid();"), "TSB2019", 5, 20],
  ["startsWith of a template with a substitution", "import { comm } from \"tsbpf\";\n" + tp("  if (comm().startsWith(`${1}`)) pid();"), "TSB2005", 4, 25],
  ["a map's Str compared before it is checked", "import { ArrayMap, type Str } from \"tsbpf\";\nconst m = new ArrayMap<Str<8>>(1);\n" + tp('  if (m.get(0) === "a") pid();'), "TSB1002", 5, 7],
  ["two string literals compared", tp('  if ("a" === "a") pid();'), "TSB2005", 3, 7],
  ["a string literal's startsWith", tp('  if ("bash".startsWith("b")) pid();'), "TSB2005", 3, 7],
];

describe("refused constructs", () => {
  test.each(refused)("%s", (_rule, source, code, line, column) => {
    const e = compileBody(source);
    expect(e).toBeDefined();
    const where = `${e!.code} at ${e!.at?.line}:${e!.at?.column}: ${e!.message}`;
    expect(where).toBe(`${code} at ${line}:${column}: ${e!.message}`);
    expect(e!.options.hint ?? "").not.toBe("");
  });
});

const accepted: [string, string][] = [
  ["counted for loop", tp("  let s: u64 = 0;\n  for (let i: u32 = 0; i < 10; i++) { s += i; }\n  printk(\"%d\", s);")],
  ["while loop stepped last", tp("  let i: u32 = 0;\n  while (i < 10) { printk(\"%d\", i); i++; }")],
  ["do-while loop", tp("  let i: u32 = 0;\n  do { printk(\"%d\", i); i += 2; } while (i < 10);")],
  ["downward loop", tp("  for (let i: i32 = 10; i > 0; i--) { printk(\"%d\", i); }")],
  ["loop bound of a narrow type", tp("  const n: u8 = u8(pid());\n  for (let i: u32 = 0; i < n; i++) { printk(\"%d\", i); }")],
  ["loop bound from a module constant", "const N = 8;\n" + tp("  for (let i: u32 = 0; i < N; i++) { printk(\"%d\", i); }")],
  ["break and continue", tp("  for (let i: u32 = 0; i < 10; i++) { if (i === 2) continue; if (i === 5) break; printk(\"%d\", i); }")],
  ["labelled break", tp("  outer: for (let i: u32 = 0; i < 4; i++) { for (let j: u32 = 0; j < 4; j++) { if (j === i) continue outer; if (i === 3) break outer; } }")],
  ["switch with fallthrough of empty cases", tp("  switch (pid() % 4) { case 0: case 1: printk(\"low\"); break; default: printk(\"high\"); }")],
  ["const enum labels", "const enum E { A = 1, B = 2 }\n" + tp("  switch (pid()) { case E.A: printk(\"a\"); break; case E.B: printk(\"b\"); break; }")],
  ["functions calling functions", "function sq(x: u32): u64 { return u64(x) * x; }\nfunction f(x: u32): u64 { return sq(x) + sq(x + 1); }\n" + tp("  printk(\"%d\", f(pid()));")],
  ["void function", "function log(x: u32): void { printk(\"%d\", x); }\n" + tp("  log(pid());")],
  ["params", 'const LIMIT = param<u64>("LIMIT", 100);\n' + tp("  if (pid() > LIMIT) printk(\"big\");")],
  ["printk with six arguments", tp('  printk("%d %u %x %ld %lu %i", 1, 2, 3, 4, 5, 6);')],
  ["xdp returning a verdict", "export const x = xdp(() => XDP_PASS);\n"],
  ["64-bit literals beyond 2^53, exactly", 'const M = param<u64>("M", 0xffffffffffffffff);\n' + tp("  const big: u64 = 0xfffffffffffffff1;\n  printk(\"%llu %llu\", big, M);")],
  ["Str from comm() and from a literal, printed with %s", "import { comm, type Str } from \"tsbpf\";\ninterface E { name: Str<16>; tag: Str<8> }\n" + tp('  const e: E = { name: comm(), tag: "t" };\n  printk("%s %s", e.name, e.tag);')],
  ["Str compared with literals and Strs, and startsWith", "import { comm, type Str } from \"tsbpf\";\n" + tp('  const s: Str<8> = "sh";\n  if (comm() === "bash" || "zsh" !== comm() || comm() == s || s != comm() || (comm()) === ("x") || comm().startsWith("kworker/")) pid();')],
  ["ternaries, logic, compound assignment", tp("  let a: i64 = -5;\n  a <<= 2;\n  a = a > 0 && pid() !== 0 ? a : -a;\n  printk(\"%d\", a);")],
];

describe("accepted constructs", () => {
  test.each(accepted)("%s", (_rule, source) => {
    const e = compileBody(source);
    expect(e?.format()).toBeUndefined();
  });
});

describe("structs and arrays", () => {
  const refusedAggregates: [string, string, string, number, number][] = [
    ["stack overflow in a function", "function f(): u64 {\n  const a: FixedArray<u64, 40> = [];\n  const b: FixedArray<u64, 40> = [];\n  return a[0] + b[0];\n}\n" + tp(""), "TSB2015", 4, 34],
    ["constant index out of range", tp("  const a: FixedArray<u32, 4> = [];\n  a[4] = 1;"), "TSB2016", 4, 5],
    ["too many elements", tp("  const a: FixedArray<u32, 2> = [1, 2, 3];"), "TSB1002", 3, 40],
    ["optional field", "interface S { a?: u32 }\n" + tp("  const s: S = { a: 1 };"), "TSB1002", 2, 15],
    ["struct containing itself", "interface A { x: u32; self: A }\nfunction f(v: A): u32 { return v.x; }\n" + tp(""), "TSB1002", 2, 23],
    ["structs containing each other", "interface A { x: u32; b: B }\ninterface B { a: A }\nfunction f(v: A): u32 { return v.x; }\n" + tp(""), "TSB1002", 3, 15],
    ["struct containing an array of itself", "interface A { xs: FixedArray<A, 2> }\nfunction f(v: A): u32 { return 0; }\n" + tp(""), "TSB1002", 2, 15],
    ["for…of over a plain array", "function f(xs: u32[]): u32 { let s: u32 = 0; for (const x of xs) s += x; return s; }\n" + tp(""), "TSB2012", 2, 62],
  ];
  test.each(refusedAggregates)("%s", (_rule, source, code, line, column) => {
    const e = compileBody(source);
    expect(e).toBeDefined();
    expect(`${e!.code} at ${e!.at?.line}:${e!.at?.column}: ${e!.message}`).toBe(`${code} at ${line}:${column}: ${e!.message}`);
  });
});
