// The stable error codes of the probe language, in one table (D55). A code never changes meaning.
// Each entry says what is refused, the usual hint, and an example that triggers the code: the
// table in docs/language.md is rendered from it (`npm run docs:codes`), and
// test/unit/diagnostic-table.test.ts compiles every example and expects exactly its code. Call
// sites keep their own message and hint, which name the specifics (a type, a size, a line).

export interface DiagnosticEntry {
  code: string;
  /** What the code refuses, as the docs' table says it. */
  refuses: string;
  /** What to do about it, in general; a call site may say it more precisely. */
  hint: string;
  /**
   * Probe code that is refused with this code, written where `placement` says: inside a
   * tracepoint program's handler, or at the top level of the file (beside such a program).
   * The file imports tsbpf's names (`PROBE_IMPORTS`).
   */
  example: string;
  placement: "handler" | "module";
  /** How the docs show an example too long to print. */
  shownAs?: string;
}

/** What an example may use without importing it. */
export const PROBE_IMPORTS = ["tracepoint", "rawTracepoint", "xdp", "kprobe", "uprobe", "usdt", "perfEvent", "interval", "ArrayMap", "LinearHistogram", "printk", "pid", "comm", "param", "currentTask", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "type FixedArray"];

const LOOP_HINT = "loop over a counted range with a constant bound: for (let i: u32 = 0; i < N; i++)";

const table = {
  unsupportedSyntax: {
    code: "TSB1001",
    refuses: "syntax outside the subset (destructuring, `declare`, default parameters, optional chaining, …)",
    hint: "see docs/language.md for the subset that compiles to BPF",
    example: "declare const K: u32;",
    placement: "module",
  },
  unsupportedType: {
    code: "TSB1002",
    refuses: "a type that has no BPF representation (optional fields, pointer arithmetic, structs compared); bigint literals",
    hint: "use an integer type (u8…u64, i8…i64), boolean, an interface of those, Str<N> or FixedArray<T, N>",
    example: "const big = 10n;",
    placement: "handler",
  },
  programTargetNotLiteral: {
    code: "TSB1101",
    refuses: "a program's target is not a string literal",
    hint: 'write it out, e.g. "syscalls/sys_enter_openat"',
    example: 'export const t = tracepoint(pid() > 0 ? "syscalls/sys_enter_openat" : "syscalls/sys_enter_open", () => {});',
    placement: "module",
  },
  badTracepointName: {
    code: "TSB1102",
    refuses: "a malformed tracepoint or raw tracepoint name",
    hint: 'tracepoints are named "category/event", as under /sys/kernel/tracing/events',
    example: 'export const t = tracepoint("sys_enter_syncfs", () => {});',
    placement: "module",
  },
  programNotTopLevel: {
    code: "TSB1103",
    refuses: "a program or param declared inside a function",
    hint: "declare it with `const` at the top level of the file",
    example: 'function f(): void { tracepoint("syscalls/sys_enter_openat", () => {}); }',
    placement: "module",
  },
  programHandlerNotInline: {
    code: "TSB1104",
    refuses: "a program's handler not written inline",
    hint: "pass `(ctx) => { … }`",
    example: 'function handler(): void {}\nexport const t = tracepoint("syscalls/sys_enter_openat", handler);',
    placement: "module",
  },
  mutableGlobal: {
    code: "TSB1105",
    refuses: "a mutable module-level variable",
    hint: "use a map for state, or `param()` for values set at load time",
    example: "let counter: u32 = 0;",
    placement: "module",
  },
  badParam: {
    code: "TSB1106",
    refuses: "a malformed `param()`: not `const`, a name that is not a literal identifier or is taken, not an integer type, a default that is not an integer literal or does not fit",
    hint: 'write `const LIMIT = param<u32>("LIMIT", 100);`',
    example: 'const P = param<u8>("P", 300);',
    placement: "module",
  },
  switchCaseNotConstant: {
    code: "TSB1107",
    refuses: "a `case` label that is not a constant, or a duplicate",
    hint: "use a literal, a module-level const, or an enum member, each value once",
    example: "const a: u32 = pid();\nswitch (pid()) { case a: break; }",
    placement: "handler",
  },
  badSymbolName: {
    code: "TSB1108",
    refuses: "a program's name that is not a C identifier",
    hint: "a program's name is its name in the kernel and in the object file: use ASCII letters, digits and _",
    example: 'export const $t = tracepoint("syscalls/sys_enter_openat", () => {});',
    placement: "module",
  },
  helperNotForKind: {
    code: "TSB1109",
    refuses: "a helper that means nothing in this kind of program (pid() in an xdp program: a packet is handled in interrupt context, with no task of its own)",
    hint: "call it from a tracing program (tracepoint, rawTracepoint), or do without it here",
    example: "export const x = xdp(() => {\n  const p: u32 = pid();\n  return p > 0 ? 2 : 1;\n});",
    placement: "module",
  },
  badContextArgument: {
    code: "TSB1110",
    refuses: "a context argument by an index that is not a constant, or past the last argument the kernel can pass (ctx.arg(12))",
    hint: "write the index as a constant from 0 to 11: the verifier checks each access to the context at load time",
    example: 'export const r = rawTracepoint("sched_switch", (ctx) => {\n  const a: u64 = ctx.arg(12);\n});',
    placement: "module",
  },
  badKernelFunctionTarget: {
    code: "TSB1120",
    refuses: "a probe on a kernel function whose target is malformed: not a name, a pattern where the kind takes one function (fentry), an empty list of alternatives, options that are not `{ optional: true }`",
    hint: 'name the function as the kernel does ("vfs_read"), or alternatives in a list (["fuse_open_common", "fuse_open"]); kprobe() takes patterns ("vfs_*")',
    example: 'export const k = kprobe("vfs read", (file: u64) => {});',
    placement: "module",
  },
  badHandlerParameter: {
    code: "TSB1121",
    refuses: "a handler parameter that cannot hold a kernel function's argument: past the last register (a 7th kprobe argument on x86-64), without a type where tsbpf has no prototype, a struct by value, a pattern's argument typed other than u64",
    hint: "declare at most six arguments (x86-64), each an integer, boolean or Ptr<T>; those of a pattern (vfs_*) are u64",
    example: 'export const k = kprobe("vfs_*", (file: u32) => {});',
    placement: "module",
  },
  badUserProbeTarget: {
    code: "TSB1130",
    refuses: "a uprobe or uretprobe whose target is not a string literal \"binary:function\" (with an optional \"+offset\"), or a binary named by a relative path",
    hint: 'name the binary by absolute path, a library by short name or a command on PATH, then the function: "/usr/bin/bash:readline", "libc:getaddrinfo", "bash:readline+4"',
    example: 'export const u = uprobe("readline", (a: u64) => {});',
    placement: "module",
  },
  badProgramFunctionName: {
    code: "TSB1122",
    refuses: "a function named as a program in bcc's convention (`kprobe__<function>`, `kretprobe__<function>`) without a function name after the `__`",
    hint: "name the kernel function after the prefix: function kprobe__vfs_read(file: Ptr<u8>) { … }",
    example: "export function kprobe__(): void {}",
    placement: "module",
  },
  badMap: {
    code: "TSB1111",
    refuses: "a map declared other than `const name = new Kind<V>(entries)` with a constant number of entries from 1 to 1073741823 (libbpf reads it from BTF, as an array of that many ints)",
    hint: "write `export const counts = new ArrayMap<u64>(16);` at the top level",
    example: "export const counts = new ArrayMap<u64>(0);",
    placement: "module",
  },
  badLinearHistogram: {
    code: "TSB1112",
    refuses: "a LinearHistogram whose min, max and step are not constants that make from 1 to 1000 whole buckets (step at least 1, max above min, max - min a multiple of step)",
    hint: "e.g. new LinearHistogram(0, 100, 10): [0, 10) … [90, 100), with one bucket below 0 and one from 100 up",
    example: "export const sizes = new LinearHistogram(0, 100, 0);",
    placement: "module",
  },
  printkFormatNotLiteral: {
    code: "TSB1201",
    refuses: "printk: a format that is not a string literal",
    hint: 'write the format inline, e.g. printk("pid %d", pid())',
    example: "printk(`pid ${pid()}`);",
    placement: "handler",
  },
  printkArgumentCount: {
    code: "TSB1202",
    refuses: "printk: not one argument per conversion, or more than 12 arguments (the kernel's `bpf_trace_vprintk` limit)",
    hint: "give one argument per % conversion, at most 12",
    example: 'printk("%d %d", pid());',
    placement: "handler",
  },
  printkBadConversion: {
    code: "TSB1203",
    refuses: "printk: a conversion the kernel does not support",
    hint: "use %d %i %u %x %p (with l/ll/h/hh as in C), %s for a Str, or %% for a percent sign",
    example: 'printk("%f", pid());',
    placement: "handler",
  },
  printkArgumentType: {
    code: "TSB1204",
    refuses: "printk: an argument of the wrong kind for its conversion (%s needs a Str, the others an integer)",
    hint: "pass a Str for %s, an integer or boolean for the others",
    example: 'printk("%s", pid());',
    placement: "handler",
  },
  float: {
    code: "TSB2001",
    refuses: "floating point",
    hint: "BPF has no floating point: scale to integers (e.g. count in nanoseconds or per mille)",
    example: "let x: u32 = 1.5;",
    placement: "handler",
  },
  closure: {
    code: "TSB2002",
    refuses: "closures: arrow functions or nested functions outside a program's handler",
    hint: "declare the function at the top level of the file and pass what it needs as arguments",
    example: "const f = (x: u32) => x + 1;",
    placement: "handler",
  },
  classes: {
    code: "TSB2003",
    refuses: "classes",
    hint: "describe data with an interface, and behaviour with top-level functions",
    example: "class C { x: u32 = 0; }",
    placement: "module",
  },
  newExpression: {
    code: "TSB2004",
    refuses: "`new`",
    hint: "there is no heap in a BPF program: use locals, or maps for state",
    example: "const d = new Array(4);",
    placement: "handler",
  },
  string: {
    code: "TSB2005",
    refuses: "strings other than formats, names and values of a `Str<N>`",
    hint: "string literals are allowed as printk formats, program, tracepoint and param names, and as values of a Str<N>",
    example: 'const s = "hello";',
    placement: "handler",
  },
  recursion: {
    code: "TSB2006",
    refuses: "recursion, direct or mutual",
    hint: "the BPF verifier refuses recursive calls: rewrite it as a bounded loop",
    example: "function f(n: u32): u32 { return n === 0 ? 0 : f(n - 1); }",
    placement: "module",
  },
  exception: {
    code: "TSB2007",
    refuses: "exceptions: `throw`, `try`",
    hint: "return early instead: a BPF program cannot unwind",
    example: "throw 1;",
    placement: "handler",
  },
  async: {
    code: "TSB2008",
    refuses: "`async` / `await`",
    hint: "a BPF program runs to completion without waiting",
    example: "async function f(): Promise<void> {}",
    placement: "module",
  },
  generator: {
    code: "TSB2009",
    refuses: "generators: `function*`, `yield`",
    hint: "loop over a bounded range instead",
    example: "function* g(): Generator<u32> { yield 1; }",
    placement: "module",
  },
  anyOrUnknown: {
    code: "TSB2010",
    refuses: "`any` / `unknown`",
    hint: "every value needs a concrete type: an integer type (u8…u64, i8…i64), boolean, or an interface",
    example: "let x: any = 1;",
    placement: "handler",
  },
  dynamicProperty: {
    code: "TSB2011",
    refuses: "dynamic property access: indexing anything but a FixedArray, `for…in`, computed names",
    hint: "access fields by name (x.field); index only FixedArray values",
    example: "function at(xs: u32[], i: u32): u32 { return xs[i]; }",
    placement: "module",
  },
  unboundedLoop: {
    code: "TSB2012",
    refuses: "a loop whose end the compiler cannot prove",
    hint: LOOP_HINT,
    example: "let i: u32 = 1;\nwhile (i < 10) { i = i * 2; }",
    placement: "handler",
  },
  importNotTsbpf: {
    code: "TSB2013",
    refuses: 'imports other than `"tsbpf"` and `"tsbpf/kernel"`, `/// <reference>` directives',
    hint: "there is no module system in the kernel: put shared code in this file",
    example: 'import { readFileSync } from "fs";',
    placement: "module",
  },
  callNotInSubset: {
    code: "TSB2014",
    refuses: "calls to anything but this file's functions and tsbpf's helpers (methods, ambient `declare function`s)",
    hint: "call functions declared at the top level of this file, or tsbpf's helpers",
    example: "interface S { f(): u32 }\nfunction g(s: S): u32 { return s.f(); }",
    placement: "module",
  },
  stackOverflow: {
    code: "TSB2015",
    refuses: "storage over its limit: a module function's call chain over the 384 bytes of stack tsbpf hands out, or a program's scratch buffer over 32 KiB",
    hint: "in a function, use smaller values or fewer at once; a program's handler moves large values to a per-CPU scratch buffer by itself",
    example: "function f(): u64 { const a: FixedArray<u64, 64> = []; return a[0]; }",
    placement: "module",
  },
  indexOutOfRange: {
    code: "TSB2016",
    refuses: "a constant index outside a FixedArray",
    hint: "valid indices are 0 to the length − 1",
    example: "const xs: FixedArray<u32, 4> = [];\nxs[4] = 1;",
    placement: "handler",
  },
  nestingTooDeep: {
    code: "TSB2017",
    refuses: "nesting deeper than the compiler walks (200 open brackets, a syntax tree 400 deep)",
    hint: "split the expression or the nesting into smaller pieces: local variables, early returns, or top-level functions",
    // 201 brackets open at once: one over MAX_BRACKETS (frontend/nesting.ts).
    example: `const x: u32 = ${"(".repeat(201)}1${")".repeat(201)};`,
    shownAs: "const x: u32 = ((( … 201 deep … 1 … )));",
    placement: "handler",
  },
  constantDoesNotFit: {
    code: "TSB2018",
    refuses: "a constant that does not fit the integer type it is converted to implicitly",
    hint: "write the cast, e.g. u8(300), if the truncation is meant",
    example: "const x: u8 = 300;",
    placement: "handler",
  },
  strCompare: {
    code: "TSB2019",
    refuses: "strings compared other than for equality (`<` on a Str), or `startsWith` with anything but a string literal",
    hint: 'compare a Str with === or !== to a string literal or another Str; give startsWith a string literal: s.startsWith("kworker")',
    example: 'if (comm() < comm()) printk("less");',
    placement: "handler",
  },
  badPerfEvent: {
    code: "TSB1140",
    refuses: "a perf event or interval not written as literals: an unknown type or event name, no frequency or period, or both, a rate that is not a positive integer literal",
    hint: 'write the event out: perfEvent({ type: "software", config: "cpu-clock", frequency: 99 }, …), interval(1000, …)',
    example: "export const t = interval(0, () => {});",
    placement: "module",
  },
  badUsdtTarget: {
    code: "TSB1150",
    refuses: 'a usdt program whose target is not a string literal "binary:provider:name" (or "binary:name"), a binary named by a relative path, or a probe that takes a map name libbpf\'s USDT support needs (__bpf_usdt_specs)',
    hint: 'name the binary by absolute path, a library by short name or a command on PATH, then the probe: "/usr/bin/python3:python:function__entry", "python3:function__entry"',
    example: 'export const u = usdt("python3", (a: u64) => {});',
    placement: "module",
  },
  unknownKernelName: {
    code: "TSB1301",
    refuses: "a kernel type or function the running kernel's BTF does not have",
    hint: "check the name: `tsbpf list <pattern>` lists kernel functions, `tsbpf types` writes every kernel type",
    example: 'import type { task_strct } from "tsbpf/kernel";',
    placement: "module",
  },
  kernelStructUse: {
    code: "TSB1302",
    refuses: "a kernel struct used other than a field at a time (stored, passed, compared), or a bitfield read",
    hint: "read the fields you need through the pointer: task.real_parent.tgid",
    example: 'export const t = tracepoint("sched/sched_process_exec", () => { const task = currentTask(); const info = task.thread_info; });',
    placement: "module",
  },
} as const satisfies Record<string, DiagnosticEntry>;

type Table = typeof table;

/** Every code, in code order. */
export const diagnosticTable: readonly DiagnosticEntry[] = Object.values(table).sort((a, b) => (a.code < b.code ? -1 : 1)); // not localeCompare: ICU's collator costs 10 ms to set up

/** Codes given out once and never used: they are not handed out again. */
export const RETIRED_CODES = ["TSB1003", "TSB2020"] as const;

/** Name → code, for call sites: `errorAt(node, Codes.float, …)`. */
export const Codes = Object.fromEntries(Object.entries(table).map(([name, entry]) => [name, entry.code])) as {
  readonly [Name in keyof Table]: Table[Name]["code"];
};
