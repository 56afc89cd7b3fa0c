// One compile reports every error the frontend finds (up to a limit), each at its place, in the
// order of the file: the passes go on after a mistake (compiler/frontend/diagnostics.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TsbpfError } from "../../compiler/compile.js";
import { MAX_ERRORS } from "../../compiler/frontend/diagnostics.js";
import { compileErrorOf } from "../helpers/compile-error.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-all-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'import { tracepoint, rawTracepoint, printk, pid, u32, type u8, type FixedArray } from "tsbpf";\n';
let n = 0;

/** Each error of compiling `body` (after the import line) as "code line:column". */
function errorsOf(body: string): string[] {
  const file = join(dir, `case${n++}.ts`);
  writeFileSync(file, HEADER + body, { flag: "wx" });
  const e = compileErrorOf(file);
  return e ? [e, ...(e.options.related ?? [])].map((x: TsbpfError) => `${x.code} ${x.at?.line}:${x.at?.column}`) : [];
}

test("errors of every pass, lowering's former ones included, come together in file order", () => {
  const errors = errorsOf(
    [
      "let counter: u32 = 0;", // 2: module scan
      'export const a = tracepoint("sys_enter_syncfs", () => {', // 3: the target; the handler is still checked
      '  printk("%d %d", pid());', // 4: printk's arguments
      "  const xs: FixedArray<u32, 4> = [1, 2, 3, 4, 5];", // 5: too many elements
      "  xs[4] = 1;", // 6: constant index
      "  switch (pid()) { case 1: break; case 1: break; }", // 7: duplicate case
      "  interface Local { x: u32 }", // 8: a statement lowering has no code for
      "  return 1;", // 9: a value the kernel ignores
      "});",
      'export const b = rawTracepoint("sched_switch", (ctx) => {',
      "  const x: u32 = u32(ctx.arg(12));", // 12: past the last argument
      "  printk(\"%s\", pid());", // 13: printk's argument type
      "});",
    ].join("\n") + "\n",
  );
  expect(errors).toEqual(["TSB1105 2:5", "TSB1102 3:29", "TSB1202 4:3", "TSB1002 5:47", "TSB2016 6:6", "TSB1107 7:40", "TSB1001 8:3", "TSB1001 9:10", "TSB1110 12:30", "TSB1204 13:16"]);
});

test(`the compile stops looking after ${MAX_ERRORS} errors, and says so`, () => {
  const lines = Array.from({ length: MAX_ERRORS + 10 }, (_, i) => `  const x${i}: u32 = ${i}.5;`);
  const file = join(dir, `case${n++}.ts`);
  writeFileSync(file, HEADER + 'export const a = tracepoint("syscalls/sys_enter_syncfs", () => {\n' + lines.join("\n") + "\n});\n", { flag: "wx" });
  const e = compileErrorOf(file)!;
  expect(1 + (e.options.related ?? []).length).toBe(MAX_ERRORS);
  expect(e.format()).toContain(`… and ${MAX_ERRORS - 10} more errors (tsbpf stops looking after ${MAX_ERRORS})`);
  expect(e.format().match(/error TSB2001/g)).toHaveLength(10);
});

test("a program named by a string constant: the string and the target are each an error", () => {
  expect(errorsOf('const name = "syscalls/sys_enter_syncfs";\nexport const t = tracepoint(name, () => {});\n')).toEqual(["TSB2005 2:14", "TSB1101 3:29"]);
});

test("a class is refused whole: nothing inside it is reported again", () => {
  expect(errorsOf("class C { m(): u32 { const f = (x: u32) => x; return f(1.5); } }\n" + 'export const t = tracepoint("syscalls/sys_enter_syncfs", () => {});\n')).toEqual([
    "TSB2003 2:1",
  ]);
});

test("the language's errors that need no types come instead of TypeScript's, which may be their consequence", () => {
  expect(errorsOf("async function f(): Promise<void> {}\nfunction g(): void { await 1; }\n" + 'export const t = tracepoint("syscalls/sys_enter_syncfs", () => {});\n')).toEqual([
    "TSB2008 2:1",
    "TSB2008 3:22",
  ]);
});

test("a mistake inside a construct is reported, not the construct it makes wrong", () => {
  // `any` makes the call and the printk format wrong too; only the `any` is reported.
  expect(errorsOf('export const t = tracepoint("syscalls/sys_enter_syncfs", () => {\n  const x: u32 = pid();\n  (x as any).toString();\n  printk(x as any);\n});\n')).toEqual([
    "TSB2010 4:9",
    "TSB2010 5:15",
  ]);
});

test("lowering reports the first mistake of each program and of each function, together in file order", () => {
  // The frontend lets these through; only lowering knows a function's stack and a constant's C type.
  expect(
    errorsOf(
      [
        "function big(): u32 {", // 2
        "  const a: FixedArray<u32, 128> = [];", // 3: over the stack budget
        "  return a[0];",
        "}",
        "function small(): u32 {", // 6
        "  const b: FixedArray<u32, 2> = [1, 2];",
        "  const x: u8 = 300;", // 8: does not fit
        "  return b[0] + x;",
        "}",
        'export const a = tracepoint("syscalls/sys_enter_syncfs", () => {', // 11
        "  const y: u8 = 256;", // 12: does not fit
        "  const z: u8 = 999;", // 13: the same program's second mistake, not reported
        "  big();",
        "  small();",
        "});",
        'export const b = tracepoint("syscalls/sys_enter_sync", () => {', // 17
        "  const w: u8 = 1000;", // 18: another program's
        "});",
      ].join("\n") + "\n",
    ),
  ).toEqual(["TSB2015 3:35", "TSB2018 8:17", "TSB2018 12:17", "TSB2018 18:17"]);
});
