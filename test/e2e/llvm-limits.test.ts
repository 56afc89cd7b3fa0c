// LLVM's BPF backend ends the whole process on what it cannot compile (issue 7): a value past
// the 128 stores it expands memset and memcpy into, a stack over 512 bytes, a function of more
// than five arguments, printk's argument array. Each is prevented before LLVM, and what remains
// becomes a TsbpfError (or, for LLVM's fatal errors, one line and exit 70) instead of a crash.
// Everything compiled here is loaded by the kernel's verifier and run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, compileAsync, lowerForCodegen, type CompileResult } from "../../compiler/compile.js";
import { loweringTargetHere, PartsFromElsewhere } from "../../compiler/llvm/build-object.js";
import { TsbpfError } from "../../contract/errors.js";
import { irToObject, LLVMDiagnosticsError, PartsCodegen } from "../../compiler/llvm/codegen.js";
import { LoadedObject } from "../../runtime/loader.js";
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";
import { triggerSyncfs } from "../helpers/kernel.js";
import { libLLVMs } from "../helpers/libllvm-versions.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-llvm-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const u64 = (x: bigint) => BigInt.asUintN(64, x);
const u32 = (x: bigint) => Number(BigInt.asUintN(32, x));

/** A probe file in the test's directory. */
function probeFile(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** The module whole, and in two parts (each part on its own LLVM thread, then linked). */
async function wholeAndInParts(file: string): Promise<[string, CompileResult][]> {
  return [
    ["whole", compile(file, { cache: false })],
    ["2 parts", await compileAsync(file, { cache: false, parts: 2 })],
  ];
}

/** Runs `names` in the kernel with `params`; `repeat` runs each that many times in a row. */
function results(c: CompileResult, names: string[], params: Record<string, bigint>, repeat = 1): Record<string, number> {
  const obj = LoadedObject.load(c, { params });
  try {
    return Object.fromEntries(names.map((n) => [n, obj.testRun(n, new Uint8Array(64), repeat).retval >>> 0]));
  } finally {
    obj.close();
  }
}

describe("values past the 128 stores the backend expands zeroing and copying into", () => {
  const file = repo("test/fixtures/language/large-values.ts");

  test("are zeroed and copied right in the kernel, built whole and in parts", async () => {
    for (const [how, c] of await wholeAndInParts(file)) {
      for (const [A, B] of [[5n, 7n], [1000n, 0xffff_ffffn]]) {
        const ones = u32(u64(-159n + BigInt.asIntN(64, B)));
        const want = { zeroed: 1000, copied: u32(A * 8256n + 129n * B + 7n), adjacent: 12, ones };
        // Twice in a row on one CPU: the second run finds the first one's values in the
        // per-CPU buffer, and sees zeroes only if the zeroing works.
        expect([how, A, results(c, Object.keys(want), { A, B }, 2)]).toEqual([how, A, want]);
      }
    }
  });

  test("with each libLLVM here, nothing reaches code generation that it cannot expand", () => {
    expect(libLLVMs().length).toBeGreaterThan(0);
    for (const lib of libLLVMs())
      for (const jobs of ["1", "2"]) {
        const r = tsbpf(["build", file, "-o", join(dir, "large.o"), "--jobs", jobs], { env: { TSBPF_LIBLLVM: lib } });
        expect([lib, jobs, r.code, r.stderr]).toEqual([lib, jobs, 0, expect.stringContaining("wrote")]);
      }
  });

  test("the issue's tracepoint handler runs from a zeroed buffer each time, with its long string copied", async () => {
    const run = new Running(["run", file, "--no-cache"]);
    try {
      await run.waitFor("stderr", /Attached 1 program/);
      const line = `large 0 copied through bpf_probe_read_kernel: ${"0123456789".repeat(12)}\n`;
      triggerSyncfs();
      await run.waitFor("stdout", new RegExp(line));
      triggerSyncfs();
      await run.waitFor("stdout", new RegExp(`${line}[^]*${line}`));
      expect(run.stdout).not.toMatch(/large [1-9]/);
    } finally {
      run.child.kill("SIGINT");
      expect(await run.exited).toBe(0);
    }
  });
});

describe("the stack", () => {
  test("exactly 512 bytes of values in a handler, with printk's 12 arguments beside them, and a function's storage", async () => {
    const file = probeFile("exact.ts", [
      'import { xdp, tracepoint, printk, pid, param, u32, type u64, type FixedArray } from "tsbpf";',
      'const A = param<u64>("A", 9);',
      "export const exact = xdp(() => {",
      "  const d: FixedArray<u64, 64> = [];",
      "  for (let i: u32 = 0; i < 64; i++) d[i] = A + i;",
      "  let s: u64 = 0;",
      "  for (const x of d) s += x;",
      "  return u32(s);",
      "});",
      'export const twelve = tracepoint("syscalls/sys_enter_syncfs", () => {',
      "  const d: FixedArray<u64, 64> = [];",
      "  d[u32(pid()) % 64] = 7;",
      "  let s: u64 = 0;",
      "  for (const x of d) s += x;",
      '  printk("twelve %d %d %d %d %d %d %d %d %d %d %d %d", s, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);',
      "});",
      "// 376 bytes on the stack: printk's 96 go to the scratch buffer.",
      'export const spilled = tracepoint("syscalls/sys_enter_syncfs", () => {',
      "  const d: FixedArray<u64, 47> = [];",
      "  d[u32(pid()) % 47] = 8;",
      "  let s: u64 = 0;",
      "  for (const x of d) s += x;",
      '  printk("spilled %d %d %d %d %d %d %d %d %d %d %d %d", s, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);',
      "});",
      "// A function's storage counts against its callers' budget: the handler's array moves to scratch.",
      "function withStorage(n: u32): u64 {",
      "  const e: FixedArray<u64, 25> = [];",
      "  e[n % 25] = n;",
      "  let t: u64 = 0;",
      "  for (const x of e) t += x;",
      "  return t;",
      "}",
      "export const shared = xdp(() => {",
      "  const d: FixedArray<u64, 40> = [];",
      "  d[A % 40] = 5;",
      "  return u32(d[A % 40] + withStorage(u32(A)) + withStorage(u32(A + 1)));",
      "});",
    ]);
    for (const [how, c] of await wholeAndInParts(file))
      for (const A of [9n, 100n]) expect([how, results(c, ["exact", "shared"], { A })]).toEqual([how, { exact: u32(64n * A + 2016n), shared: u32(2n * A + 6n) }]);

    const run = new Running(["run", file, "--no-cache"]);
    try {
      await run.waitFor("stderr", /Attached 2 programs/);
      triggerSyncfs();
      await run.waitFor("stdout", /twelve 7 2 3 4 5 6 7 8 9 10 11 12\n/);
      await run.waitFor("stdout", /spilled 8 2 3 4 5 6 7 8 9 10 11 12\n/);
    } finally {
      run.child.kill("SIGINT");
      expect(await run.exited).toBe(0);
    }
  });

  test.each([
    ["function-stack.ts", "5:34", "TSB2015", "this FixedArray<u64, 64> (512 bytes) takes sum's stack to 512 bytes, over the 384 that tsbpf gives a call chain", "in a function, use smaller values"],
    ["call-chain-stack.ts", "11:34", "TSB2015", "takes outer's stack, with the 200 bytes of the functions it calls, to 400 bytes", "in a function, use smaller values"],
    ["scratch-limit.ts", "6:36", "TSB2015", "this FixedArray<u64, 2500> (20000 bytes) takes huge's per-CPU scratch buffer to 40000 bytes, over the kernel's limit of 32768", "fewer or smaller"],
    ["printk-13-arguments.ts", "5:88", "TSB1202", "printk prints at most 12 arguments (the kernel's limit for bpf_trace_vprintk); this is argument 13 of 13", "several printk calls"],
  ])("%s is refused at its line before LLVM", (fixture, at, code, message, hint) => {
    const r = tsbpf(["build", repo("test/fixtures/errors", fixture), "-o", join(dir, "refused.o")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${fixture}:${at}: error ${code}: `);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(new RegExp(`\nhint: [^\n]*${hint}`));
    expectNoStack(r.stderr);
  });

  test("printk with 64 arguments is refused at the 13th, as with 13", () => {
    const args = Array.from({ length: 64 }, (_, i) => `${i}`);
    const file = probeFile("printk64.ts", [
      'import { tracepoint, printk } from "tsbpf";',
      'export const many = tracepoint("syscalls/sys_enter_syncfs", () => {',
      `  printk("${args.map(() => "%d").join(" ")}", ${args.join(", ")});`,
      "});",
    ]);
    const r = tsbpf(["build", file, "-o", join(dir, "refused.o")]);
    const column = readFileSync(file, "utf8").split("\n")[2].indexOf(", 12,") + 3;
    expect([r.code, r.stderr]).toEqual([1, expect.stringContaining(`printk64.ts:3:${column}: error TSB1202: printk prints at most 12 arguments`)]);
    expectNoStack(r.stderr);
  });
});

describe("functions of more than five arguments are inlined where they are called", () => {
  const file = repo("test/fixtures/language/many-arguments.ts");

  function six(K: bigint, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint, f: bigint): bigint {
    let s = K;
    for (let i = 0n; i < 24n; i++) s = u64(s * 31n + a * i + b * (i ^ c) + d * (s >> 3n) + e * (s % 7n) + f);
    for (let i = 0n; i < 24n; i++) s = u64(s * 17n + a * i + b * (i ^ c) + d * (s >> 5n) + e * (s % 11n) + f);
    return s;
  }
  function nine(K: bigint, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint, f: bigint, g: bigint, h: bigint, k: bigint): bigint {
    let s = K;
    for (let i = 0n; i < 24n; i++) s = u64(s * 29n + a * i + b * (i ^ c) + d * (s >> 3n) + e * (s % 7n) + f * g + h - k);
    for (let i = 0n; i < 24n; i++) s = u64(s * 13n + a * i + b * (i ^ c) + d * (s >> 5n) + e * (s % 11n) + f * h + g - k);
    return s;
  }
  function five(K: bigint, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint): bigint {
    let s = K;
    for (let i = 0n; i < 24n; i++) s = u64(s * 31n + a * i + b * (i ^ c) + d * (s >> 3n) + e * (s % 7n));
    return s;
  }
  const expected = (K: bigint) => ({
    sixA: u32(six(K, 1n, 2n, 3n, 4n, 5n, 6n)),
    sixB: u32(six(K, 6n, 5n, 4n, 3n, 2n, 1n) + six(K, K, K, K, K, K, K)),
    nineA: u32(nine(K, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n)),
    nineB: u32(nine(K, 9n, 8n, 7n, 6n, 5n, 4n, 3n, 2n, 1n) ^ six(K, 1n, 1n, 1n, 1n, 1n, 1n)),
    fiveA: u32(five(K, 1n, 2n, 3n, 4n, 5n) + (five(K, 1n, 2n, 3n, 4n, 5n) >> 32n) + 4n),
    fiveB: u32(five(K, K, 2n, 3n, 4n, 5n)),
  });

  test("built with --jobs 1 and --jobs 2 by the command, with each libLLVM here", () => {
    for (const lib of libLLVMs())
      for (const jobs of ["1", "2"]) {
        const r = tsbpf(["build", file, "-o", join(dir, "args.o"), "--jobs", jobs], { env: { TSBPF_LIBLLVM: lib } });
        expect([lib, jobs, r.code, r.stderr]).toEqual([lib, jobs, 0, expect.stringContaining("wrote")]);
      }
  });

  test("each program computes its function's value in the kernel, built whole and in parts", async () => {
    for (const [how, c] of await wholeAndInParts(file))
      for (const K of [3n, 0xdead_beef_1234n]) expect([how, K, results(c, Object.keys(expected(K)), { K })]).toEqual([how, K, expected(K)]);
  });
});

describe("LLVM's own errors", () => {
  const file = repo("test/fixtures/language/many-arguments.ts");
  /** The fixture's IR with every function kept out of line: LLVM's backend refuses the six-argument ones. */
  const outOfLine = () => compile(file, { cache: false, emitLLVM: true }).ir!.replace(/attributes #1 = \{ alwaysinline /, "attributes #1 = { noinline ");

  /** What a user is shown for `ir`, from `source`, which LLVM's backend refuses. */
  function refusedByLLVM(ir: string, source: string): string {
    let error: unknown;
    try {
      irToObject(ir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LLVMDiagnosticsError);
    const user = (error as LLVMDiagnosticsError).toTsbpfError(source, readFileSync(source, "utf8"));
    expect(user).toBeInstanceOf(TsbpfError);
    return user.format();
  }

  test("a backend error is reported at the TypeScript line it names, and the process lives on", async () => {
    const ir = outOfLine();
    expect(ir).toContain("noinline");
    const text = refusedByLLVM(ir, file);
    const line = readFileSync(file, "utf8").split("\n").findIndex((l) => l.startsWith("export const sixA")) + 1;
    expect(text).toMatch(new RegExp(`many-arguments\\.ts:${line}:\\d+: error: LLVM could not compile 'sixA': too many args to 'six'\\n`));
    expect(text).toContain("hint: a BPF function takes at most five arguments");

    // The same from parts on LLVM's threads: the handler runs there too.
    const parts = new PartsCodegen();
    parts.add(ir);
    parts.add(ir);
    await expect(parts.finish()).rejects.toBeInstanceOf(LLVMDiagnosticsError);
    // LLVM still works in this process.
    expect(compile(file, { cache: false }).object.length).toBeGreaterThan(0);
  });

  test("the IR the compiler's process lowered, refused by LLVM in the CLI's process: at the same line (D200)", async () => {
    const source = readFileSync(file, "utf8");
    const probe = { fileName: file, text: source };
    const parts: [string, number][] = [];
    let programs: unknown;
    lowerForCodegen(file, source, { cache: false }, loweringTargetHere(), { part: (ir, of) => parts.push([ir, of]), lowered: (r) => (programs = r.programs) });
    expect([parts.map(([, of]) => of), programs]).toEqual([[1], compile(file, { cache: false }).programs]);
    // The parts as sent make the object compile() makes.
    const here = new PartsFromElsewhere(probe, undefined);
    for (const [ir, of] of parts) here.add(ir, of);
    expect((await here.object()).object).toEqual(compile(file, { cache: false }).object);
    const refused = new PartsFromElsewhere(probe, undefined);
    refused.add(outOfLine(), 1);
    const error = await refused.object().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TsbpfError);
    expect((error as TsbpfError).format()).toBe(refusedByLLVM(outOfLine(), file));
  });

  test("a frame over 512 bytes is reported at its line", () => {
    const frame = probeFile("frame.ts", [
      'import { xdp, param, u32, type FixedArray, type u64 } from "tsbpf";',
      'const A = param<u64>("A", 1);',
      "export const frame = xdp(() => {",
      "  const d: FixedArray<u64, 40> = [];",
      "  d[A % 40] = 1;",
      "  return u32(d[7]);",
      "});",
    ]);
    // Its 320 bytes made 640 behind tsbpf's back: LLVM's stack check is what remains.
    const ir = compile(frame, { cache: false, emitLLVM: true }).ir!;
    const grown = ir.replace(/alloca \[320 x i8\]/, "alloca [640 x i8]").replace(/i64 320, i1 false/, "i64 640, i1 false");
    expect(grown).not.toBe(ir);
    const text = refusedByLLVM(grown, frame);
    expect(text).toMatch(/^\/\S+\/frame\.ts:4:3: error: LLVM could not compile 'frame': Looks like the BPF stack limit of 512 bytes is exceeded/);
    expect(text).toContain("4 |   const d: FixedArray<u64, 40> = [];");
    expect(text).toContain("hint: BPF gives a program and the functions it calls 512 bytes of stack in all");
    expect(text.match(/error:/g)).toHaveLength(1); // once, not once per instruction
  });

  /** Runs `lines` (JavaScript, with `dist` naming the compiled project) in a node process of its own with `lib`. */
  function inChild(lib: string, lines: string[]) {
    const script = [`const dist = ${JSON.stringify(join(__dirname, "../.."))};`, ...lines].join("\n");
    return spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, TSBPF_LIBLLVM: lib } });
  }

  test.each(libLLVMs())("with %s, backend errors, whole and from parts on LLVM's threads, leave the process working", (lib) => {
    const r = inChild(lib, [
      'const { compile } = require(dist + "/compiler/compile.js");',
      'const { irToObject, PartsCodegen } = require(dist + "/compiler/llvm/codegen.js");',
      `const file = ${JSON.stringify(file)};`,
      'const ir = compile(file, { cache: false, emitLLVM: true }).ir.replace(/attributes #1 = \\{ alwaysinline /, "attributes #1 = { noinline ");',
      'try { irToObject(ir); } catch (e) { console.log(e.toTsbpfError(file, require("fs").readFileSync(file, "utf8")).format()); }',
      "const parts = new PartsCodegen();",
      "parts.add(ir);",
      "parts.add(ir);",
      'parts.finish().catch((e) => console.log("parts: " + e.constructor.name)).then(() => console.log("then built: " + compile(file, { cache: false }).object.length));',
    ]);
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/many-arguments\.ts:\d+:\d+: error: LLVM could not compile 'sixA': too many args to 'six'\n/);
    expect(r.stdout).toContain("parts: LLVMDiagnosticsError\n");
    expect(r.stdout).toMatch(/then built: \d+\n$/);
  });

  test.each(libLLVMs().flatMap((lib) => [[lib, "sync"], [lib, "async"]]))("with %s, a fatal error (%s) prints one line and ends the process with status 70", (lib, mode) => {
    const ptr = /LLVM-14/.test(lib) ? "i64*" : "ptr";
    // Instruction selection has no pattern for an atomic NAND on BPF: report_fatal_error.
    const ir = `target triple = "bpf"\ndefine i32 @nand(${ptr} %q) section "xdp" {\n  %x = atomicrmw nand ${ptr} %q, i64 1 seq_cst\n  %y = trunc i64 %x to i32\n  ret i32 %y\n}\n`;
    const r = inChild(lib, [
      'const { irToObject, PartsCodegen } = require(dist + "/compiler/llvm/codegen.js");',
      `const ir = ${JSON.stringify(ir)};`,
      mode === "sync" ? "irToObject(ir);" : "const p = new PartsCodegen(); p.add(ir); p.add(ir); p.finish().then(() => undefined, () => undefined);",
      'setTimeout(() => console.log("still running"), 5000);',
    ]);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tsbpf: LLVM could not compile 'nand' \(Cannot select: [^\n]*AtomicLoadNand[^\n]*\): a bug in tsbpf [\d.]+, please report it with the probe file\n$/);
  });
});
