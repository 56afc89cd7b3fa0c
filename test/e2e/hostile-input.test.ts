// Input a hostile or careless user can write: it must get one clear error at its file:line:col
// (or compile correctly), never a stack overflow, an LLVM parse error, a hang or a wrong value.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, TsbpfError } from "../../compiler/compile.js";
import { MAX_BRACKETS, MAX_DEPTH } from "../../compiler/frontend/nesting.js";
import { LoadedObject } from "../../runtime/loader.js";
import { expectNoStack, tsbpf } from "../helpers/tsbpf-command.js";
import { compileErrorOf } from "../helpers/compile-error.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsbpf-hostile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** Writes a probe file; returns its path. */
function probe(text: string): string {
  const file = join(dir, `p${count++}.ts`);
  writeFileSync(file, text);
  return file;
}

const HEAD = 'import { tracepoint, xdp, printk, pid, param, u8, u32, type u16, type u64, type i8, type FixedArray } from "tsbpf";\n';
const inHandler = (body: string) => probe(`${HEAD}export const a = tracepoint("syscalls/sys_enter_syncfs", () => {\n${body}\n});\n`);

/** The TsbpfError that compiling `file` throws (fails the test if it compiles or throws anything else). */
function compileError(file: string): TsbpfError {
  const e = compileErrorOf(file);
  if (!e) throw new Error(`${file} compiled, but an error was expected`);
  return e;
}

/** Runs an xdp program of a compiled probe once and returns what it returned. */
function xdpResult(file: string): number {
  const obj = LoadedObject.load({ ...compile(file, { cache: false }), file });
  try {
    return obj.testRun("a", new Uint8Array(64)).retval;
  } finally {
    obj.close();
  }
}

describe("deep nesting gets one clear error, at the place that goes too deep", () => {
  const cases: [string, (n: number) => string][] = [
    ["parentheses", (n) => `printk("%d", ${"(".repeat(n)}pid()${")".repeat(n)});`],
    ["nested if blocks", (n) => `${"if (pid()) {".repeat(n)}printk("x");${"}".repeat(n)}`],
    ["if without braces", (n) => `${"if (pid()) ".repeat(n)}printk("x");`],
    ["a long sum", (n) => `printk("%d", ${Array(n).fill("1").join(" + ")});`],
    ["a chain of ternaries", (n) => `printk("%d", ${"pid() ? 1 : ".repeat(n)}0);`],
    ["unary operators", (n) => `printk("%d", ${"~".repeat(n)}pid());`],
    ["array literals", (n) => `const x = ${"[".repeat(n)}1${"]".repeat(n)};`],
  ];
  test.each(cases)("%s, 800 and 2,000 deep", (_, make) => {
    for (const n of [800, 2000]) {
      const file = inHandler(make(n));
      const e = compileError(file);
      expect(e.code).toBe("TSB2017");
      expect(e.at?.file).toBe(file);
      expect(e.at?.line).toBe(3);
      expect(e.format()).toMatch(/nested .* tsbpf compiles at most/);
    }
  });

  test("just under the limits, the same shapes compile (the limits are not lower than they must be)", () => {
    const headroom = 10; // the handler's own brackets and statements
    for (const body of [
      `printk("%d", ${"(".repeat(MAX_BRACKETS - headroom)}pid()${")".repeat(MAX_BRACKETS - headroom)});`,
      `${"if (pid()) {".repeat(MAX_BRACKETS - headroom)}printk("x");${"}".repeat(MAX_BRACKETS - headroom)}`,
      `printk("%d", ${Array(MAX_DEPTH - headroom).fill("pid()").join(" + ")});`,
      `printk("%d", ${"pid() ? 1 : ".repeat(MAX_DEPTH / 2 - headroom)}0);`,
      `${"if (pid()) ".repeat(MAX_DEPTH / 2 - headroom)}printk("x");`,
    ]) {
      expect(compile(inHandler(body), { cache: false }).object.length).toBeGreaterThan(0);
    }
  });

  test("through the CLI: exit 1, the location, no stack", () => {
    const r = tsbpf(["build", inHandler(`printk("%d", ${"(".repeat(800)}1${")".repeat(800)});`), "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/p\d+\.ts:3:\d+: error TSB2017: brackets nested more than 200 deep/);
    expectNoStack(r.stderr);
    // A long line is shown as a window around the place, not as 1,600 characters.
    expect(Math.max(...r.stderr.split("\n").map((l) => l.length))).toBeLessThan(200);
  });
});

describe("names that are not C identifiers", () => {
  test("a program named with non-ASCII letters is refused at its name", () => {
    const e = compileError(probe(`${HEAD}export const 变量 = tracepoint("syscalls/sys_enter_syncfs", () => { printk("x"); });\n`));
    expect(e.code).toBe("TSB1108");
    expect(e.at).toMatchObject({ line: 2, column: 14 });
    expect(e.options.hint).toContain("ASCII letters, digits and _");
  });

  test("functions and parameters named with non-ASCII letters or $ compile, load and compute", () => {
    const file = probe(
      `${HEAD}function 加(变量: u32, $x: u32, _u53d8: u32): u32 { return 变量 * 100 + $x * 10 + _u53d8; }\n` +
        `function $(é: u32): u32 { return é + 1; }\n` +
        `export const a = xdp(() => 加(1, 2, 3) + $(4) - 123 - 5 + 2);\n`,
    );
    expect(xdpResult(file)).toBe(2);
  });

  test("a program or function named LICENSE, tsbpf_params or tsbpf_scratch keeps its name", () => {
    const file = probe(
      `${HEAD}const P = param<u32>("P", 2);\nfunction LICENSE(x: u32): u32 { return x + P; }\n` +
        `export const tsbpf_params = xdp(() => LICENSE(0));\nexport const tsbpf_scratch = xdp(() => { const big: FixedArray<u64, 80> = []; big[1] = 1; return u32(big[1]); });\n` +
        `export const a = xdp(() => LICENSE(1));\n`,
    );
    expect(xdpResult(file)).toBe(3);
    const r = compile(file, { cache: false });
    expect(r.programs.map((p) => p.name)).toEqual(["tsbpf_params", "tsbpf_scratch", "a"]);
  });
});

describe("names of ELF sections", () => {
  test.each(["xdp", "license"])("a program named %s (a section of the object) is refused at its name", (name) => {
    const e = compileError(probe(`import { xdp as onPacket } from "tsbpf";\nexport const ${name} = onPacket(() => 1);\n`));
    expect(e.code).toBe("TSB1108");
    expect(e.message).toContain("it is the name of an ELF section of this object");
    expect(e.at).toMatchObject({ line: 2, column: 14 });
  });

  test("functions named xdp and license give way to the sections, and compute", () => {
    const file = probe(
      'import { xdp as onPacket, u32 } from "tsbpf";\nfunction xdp(a: u32): u32 { return a * 10; }\nfunction license(a: u32): u32 { return a + 1; }\n' +
        "export const a = onPacket(() => license(1) + xdp(3));\n",
    );
    expect(xdpResult(file)).toBe(32);
  });
});

describe("found by the fuzzer", () => {
  test("the value of a compound assignment to an element at a variable index is what was stored, or 0", () => {
    const text = (index: number) =>
      `${HEAD}const I = param<u32>("I", ${index});\nexport const a = xdp(() => { const xs: FixedArray<u32, 4> = [1, 2, 3, 4]; const v = (xs[I] += 5); return v * 100 + xs[I % 4]; });\n`;
    expect(xdpResult(probe(text(1)))).toBe(7 * 100 + 7);
    expect(xdpResult(probe(text(9)))).toBe(0 * 100 + 2); // out of range: nothing stored, the value 0
  });
});

describe("TypeScript's own errors", () => {
  test("an error TypeScript elaborates with a global type tsbpf lacks is reported at its place first", () => {
    const r = tsbpf(["build", probe(`import { xdp, u64 } from "tsbpf";\nexport const wide = xdp(() => u64(1));\n`), "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\S+p\d+\.ts:2:31: error TS2322: Type 'u64' is not assignable to type 'u32'/);
    expect(r.stderr).not.toContain("Promise");
  });
});

describe("sizes and constants", () => {
  test("a FixedArray length past what fits is refused, not handed to LLVM", () => {
    for (const n of ["9223372036854775808", "4294967296", "2000000"]) {
      const e = compileError(inHandler(`const d: FixedArray<u64, ${n}> = []; printk("%d", d[0]);`));
      expect(e.code).toBe("TSB1002");
      expect(e.message).toMatch(/larger than a probe value may be/);
    }
  });

  test("a struct of more than 1 MiB is refused at its use", () => {
    const file = probe(
      `${HEAD}interface Big { a: FixedArray<u64, 100000>; b: FixedArray<u64, 100000> }\n` +
        `export const a = tracepoint("syscalls/sys_enter_syncfs", () => { const d: Big = { a: [], b: [] }; printk("%d", d.a[0]); });\n`,
    );
    const e = compileError(file);
    expect(e.message).toBe("Big takes 1600000 bytes, more than a probe value may (1048576 bytes)");
    expect(e.at?.line).toBe(3);
  });

  test.each([
    ["const x: u8 = 300;", "300 does not fit in u8 (0 to 255)", "write u8(300) if the truncation to 44 is meant"],
    ["const y: u32 = 10000000000000;", "10000000000000 does not fit in u32 (0 to 4294967295)", "truncation to 1316134912"],
    ["const z: u64 = -1;", "-1 does not fit in u64", "write u64(-1)"],
    ["let w: i8 = 0; w = 128;", "128 does not fit in i8 (-128 to 127)", "truncation to -128"],
  ])("%s is refused at its line", (stmt, message, hint) => {
    const e = compileError(inHandler(`${stmt} printk("%d", pid());`));
    expect(e.code).toBe("TSB2018");
    expect(e.message).toContain(message);
    expect(e.options.hint).toContain(hint);
    expect(e.at?.line).toBe(3);
  });

  test("constants that do not fit a function's parameter, result or a module constant's type are refused", () => {
    for (const text of [
      `function f(x: u8): u8 { return x; }\nexport const a = xdp(() => f(256));\n`,
      `function f(x: u8): i8 { return 200; }\nexport const a = xdp(() => u32(f(1)));\n`,
      `const N: u16 = 65536;\nexport const a = xdp(() => N);\n`,
    ]) {
      expect(compileError(probe(HEAD + text)).code).toBe("TSB2018");
    }
  });

  test("a cast truncates on purpose, and fitting constants are kept exactly", () => {
    const file = probe(`${HEAD}export const a = xdp(() => { const x: u8 = u8(300); const y: u32 = 4294967295; const z: i8 = -128; return x + u32(y - 4294967290) + u32(z + 128); });\n`);
    expect(xdpResult(file)).toBe(44 + 5 + 0);
  });
});

describe("other files", () => {
  test("a /// <reference path> is refused, and the referenced file is never read", () => {
    const zero = join(dir, "zero.ts");
    symlinkSync("/dev/zero", zero);
    const file = probe(`/// <reference path="./zero.ts" />\n${HEAD}export const a = xdp(() => 2);\n`);
    const t = performance.now();
    const e = compileError(file);
    expect(performance.now() - t).toBeLessThan(10_000);
    expect(e.code).toBe("TSB2013");
    expect(e.at).toMatchObject({ line: 1, column: 22 });
  });

  test("a probe path that is a device, a FIFO or a directory is refused without reading it", () => {
    const link = join(dir, "dev-zero.ts");
    symlinkSync("/dev/zero", link);
    const r = tsbpf(["build", link, "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dev-zero.ts: error: is not a regular file");
    expect(tsbpf(["build", dir, "-o", "/dev/null"]).stderr).toContain("is a directory, not a probe file");
  });
});

describe("params", () => {
  test("two param()s with the same name are refused at the second", () => {
    const e = compileError(probe(`${HEAD}const A = param<u32>("X", 1);\nconst B = param<u32>("X", 2);\nexport const a = xdp(() => A + B);\n`));
    expect(e.code).toBe("TSB1106");
    expect(e.at).toMatchObject({ line: 3, column: 22 });
    expect(e.message).toContain("already declared (line 2)");
  });
});

describe("what the terminal shows", () => {
  test("control characters and bidirectional overrides in the source are escaped, the caret still aligned", () => {
    const file = probe(`${HEAD}export const a = xdp(() => { return \u001b[31m\u202e 1; });\n`);
    const r = tsbpf(["build", file, "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    expect(r.stderr).toContain("\\x1b[31m\\u{202e}");
    const lines = r.stderr.split("\n");
    const source = lines.findIndex((l) => l.startsWith("2 | "));
    expect(lines[source + 1].indexOf("^")).toBe(lines[source].indexOf("\\x1b"));
  });
});
