// Kernel structs in probes: "tsbpf/kernel" declared from the running kernel's BTF for each
// compile, and fields read through pointers with CO-RE, checked against what the process knows
// of itself; and what a mistake with them gets.
import { readFileSync, realpathSync } from "node:fs";
import { basename } from "node:path";
import { Kind } from "../../compiler/btf/btf-kinds.js";
import { compile } from "../../compiler/compile.js";
import { loadBtf } from "../../compiler/btf/kernel-types.js";
import { probeKernelDeclarations } from "../../compiler/kernel/kernel-declarations.js";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { runLater, syncfsFromThisProcess } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/kernel", name);

test("a task's fields read through kernel pointers are this process's", async () => {
  await using probe = await open(fixture("task-fields.ts"), { params: { TARGET: process.pid } });
  const tasks = probe.events("tasks");
  probe.attach();
  syncfsFromThisProcess();
  const seen: Record<string, unknown>[] = [];
  tasks.poll((batch) => seen.push(...(batch as Record<string, unknown>[])));
  expect(seen.length).toBe(1);
  const btf = loadBtf();
  expect(seen[0]).toEqual({
    tgid: process.pid,
    ppid: process.ppid,
    comm: readFileSync("/proc/self/comm", "utf8").trim(),
    exe: basename(realpathSync("/proc/self/exe")),
    size: btf.size(btf.find("task_struct", Kind.Struct)!),
    hasParent: true,
  });
});

test("a raw tracepoint's arguments are read by name, typed from the kernel's prototype (raw_tp and tp_btf)", async () => {
  const child = runLater("true");
  await using probe = await open(fixture("exec-arguments.ts"), { params: { TARGET: child.pid } });
  const execs = probe.events("execs");
  probe.attach();
  await child.go();
  const seen: Record<string, unknown>[] = [];
  execs.poll((batch) => seen.push(...(batch as Record<string, unknown>[])));
  expect(seen.map((e) => e.kind).sort()).toEqual([1, 2]);
  for (const e of seen) {
    expect(e).toMatchObject({ pid: child.pid, oldPid: child.pid });
    expect(e.filename).toMatch(/^\/(usr\/)?bin\/true$/);
  }
});

test("a probe's compile declares the kernel types it uses, not the kernel's 15,000", () => {
  const source = readFileSync(fixture("task-fields.ts"), "utf8");
  const { text, composites } = probeKernelDeclarations(fixture("task-fields.ts"), source)!;
  for (const used of ["task_struct", "mm_struct", "file", "path", "dentry", "qstr"]) expect(text).toMatch(new RegExp(`^export interface ${used} \\{\\n`, "m"));
  // Reached, not read: declared by name only.
  expect(text).not.toMatch(/^export interface sk_buff \{\n/m);
  expect(text).toMatch(/^export interface files_struct \{\}$/m);
  expect(composites.size).toBeLessThan(400);
  expect(text.length).toBeLessThan(300_000);
  expect(text).toContain("interface KernelTypes {\n    task_struct: task_struct;");
});

test("a probe reading kernel structs compiles again in the same process (LLVM's CO-RE pass shares state between modules)", () => {
  const first = compile(fixture("task-fields.ts"), { cache: false });
  const again = compile(fixture("task-fields.ts"), { cache: false });
  expect(again.object.length).toBe(first.object.length);
});

test("a kernel struct used as a value is refused where it is used", () => {
  const e = compileErrorOf(fixture("struct-value.ts"))!;
  // The pointer (line 3) is a value; the struct inside the file is not.
  expect(e.format()).toContain("struct-value.ts:4:16: error TSB1302: a kernel path is read a field at a time");
});

test("an unknown kernel type is an error at its import, with the kernel's nearest names", () => {
  const e = compileErrorOf(fixture("unknown-type.ts"))!;
  expect(e.format()).toContain("unknown-type.ts:2:15: error TSB1301: the kernel has no type 'task_strct'");
  expect(e.options.hint).toContain("did you mean 'task_struct'");
});

test("an unknown field of a kernel struct is TypeScript's error, with its suggestion", () => {
  const e = compileErrorOf(fixture("unknown-field.ts"))!;
  expect(e.format()).toMatch(/unknown-field\.ts:3:44: error TS2551: Property 'tgidd' does not exist on type 'Ptr<task_struct>'\. Did you mean 'tgid'\?/);
});
