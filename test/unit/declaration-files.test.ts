// tsbpf's declaration files beyond stdlib/: a generated one in the cache's types/ folder (kernel
// types, later) is served to every probe, its declarations are tsbpf's, it is trusted only as
// any cache file is, and the object cache's key changes with it.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as TS from "typescript";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-declarations-"));
const cache = join(dir, "cache");
const types = join(cache, "types");
const kernelTypes = join(types, "kernel.d.ts");
// The cache (and its types/ folder) must exist before the compiler first looks for it.
process.env.TSBPF_CACHE_DIR = cache;
mkdirSync(types, { recursive: true, mode: 0o700 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { compile, TsbpfError } = require("../../compiler/compile.js") as typeof import("../../compiler/compile.js");
const { loadCheckedSource } = require("../../compiler/frontend/checked-source.js") as typeof import("../../compiler/frontend/checked-source.js");
const { stdlibName } = require("../../compiler/frontend/module-scan.js") as typeof import("../../compiler/frontend/module-scan.js");
const { stdlibIndex } = require("../../compiler/declaration-files.js") as typeof import("../../compiler/declaration-files.js");

/** A generated file adds to the "tsbpf" module, as kernel types from BTF will. */
const kernelDeclarations = (fields: string) =>
  `import type { i32, Str } from "tsbpf";\ndeclare module "tsbpf" {\n  export interface task_struct {\n${fields}  }\n}\n`;
const writeKernelTypes = (fields: string, mode = 0o600) => {
  writeFileSync(kernelTypes, kernelDeclarations(fields), { mode });
  chmodSync(kernelTypes, mode);
};

const probe = join(dir, "probe.ts");
writeFileSync(
  probe,
  'import { tracepoint, printk, readKernel, kernelPtr, u64, type task_struct } from "tsbpf";\n' +
    "interface Local { x: u64 }\n" +
    'export const t = tracepoint("syscalls/sys_enter_syncfs", () => {\n' +
    "  const task = readKernel(kernelPtr<task_struct>(u64(0)));\n" +
    '  printk("%d %s", task.pid, task.comm);\n' +
    "});\n",
);

/** The identifiers of `source` named `name`, in order. */
function identifiers(ts: typeof TS, source: TS.SourceFile, name: string): TS.Identifier[] {
  const found: TS.Identifier[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && n.text === name) found.push(n);
    n.forEachChild(visit);
  };
  visit(source);
  return found;
}

test("a generated declaration file is served: a probe imports its interface from \"tsbpf\" and compiles", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  const r = compile(probe, { cache: false });
  expect(r.programs.map((p) => p.section)).toEqual(["tracepoint/syscalls/sys_enter_syncfs"]);
  expect(r.object.length).toBeGreaterThan(0);
});

test("its declarations are tsbpf's; the probe's own are not", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  const p = loadCheckedSource(probe);
  const [imported, used] = identifiers(p.ts, p.source, "task_struct");
  expect(stdlibName(p, imported)).toBe("task_struct");
  expect(stdlibName(p, used)).toBe("task_struct");
  expect(stdlibName(p, identifiers(p.ts, p.source, "Local")[0])).toBeUndefined();
  expect(stdlibName(p, identifiers(p.ts, p.source, "printk")[1])).toBe("printk");
});

test("declaration files are parsed once per process; a rewritten generated file is parsed again", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  const first = loadCheckedSource(probe);
  const second = loadCheckedSource(probe);
  expect(second.tsProgram.getSourceFile(stdlibIndex)).toBe(first.tsProgram.getSourceFile(stdlibIndex));
  expect(second.tsProgram.getSourceFile(kernelTypes)).toBe(first.tsProgram.getSourceFile(kernelTypes));
  writeKernelTypes("    pid: i32;\n");
  expect(() => loadCheckedSource(probe)).toThrow(/Property 'comm' does not exist on type 'task_struct'/);
});

test("a generated file that others could have written is not served", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n", 0o622);
  let error: unknown;
  try {
    compile(probe, { cache: false });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TsbpfError);
  expect((error as Error).message).toMatch(/has no exported member named 'task_struct'|has no exported member 'task_struct'/);
});

/** The object cache's key for the probe, from a process of its own (the compiler's fingerprint is computed once per process). */
const key = () =>
  execFileSync(process.execPath, ["-e", `console.log(require(${JSON.stringify(join(__dirname, "../../compiler/object-cache.js"))}).cacheKey(process.argv[1], {}).key)`, probe], {
    encoding: "utf8",
    env: { ...process.env, TSBPF_CACHE_DIR: cache },
  }).trim();

test("the object cache's key covers generated declaration files", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  const before = key();
  expect(key()).toBe(before);
  writeKernelTypes("    pid: i32;\n    comm: Str<32>;\n");
  expect(key()).not.toBe(before);
  rmSync(kernelTypes);
  expect(key()).not.toBe(before);
});

test("the key follows the files' contents, not their times: a file written again the same keeps it (D205)", () => {
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  const before = key();
  // As `npm test`'s tsc does to every file of dist/: the same bytes, a new time.
  const later = new Date(Date.now() + 60_000);
  utimesSync(kernelTypes, later, later);
  expect(key()).toBe(before);
  // Other bytes of the same length, written at another time: another key. (Written at the very
  // same time to the nanosecond, they would not be seen: the times are what say to look.)
  writeKernelTypes("    pid: i32;\n    comm: Str<61>;\n");
  expect(key()).not.toBe(before);
});

test("a cached compile loads no TypeScript, generated declarations or not", () => {
  const index = join(__dirname, "../../compiler/compile.js");
  const script = `const r = require(${JSON.stringify(index)}).compile(process.argv[1], {});
console.log(r.cached, Object.keys(require.cache).some((m) => m.includes("/node_modules/typescript/")));`;
  const run = () => execFileSync(process.execPath, ["-e", script, probe], { encoding: "utf8", env: { ...process.env, TSBPF_CACHE_DIR: cache } }).trim();
  writeKernelTypes("    pid: i32;\n    comm: Str<16>;\n");
  expect(run()).toBe("false true");
  expect(run()).toBe("true false");
});
