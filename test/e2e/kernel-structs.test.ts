// Kernel structs in probes: "tsbpf/kernel" declared from the running kernel's BTF for each
// compile, and fields read through pointers with CO-RE, checked against what the process knows
// of itself; and what a mistake with them gets.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Kind } from "../../compiler/btf/btf-kinds.js";
import { compile } from "../../compiler/compile.js";
import { loadBtf } from "../../compiler/btf/kernel-types.js";
import { probeKernelDeclarations } from "../../compiler/kernel/kernel-declarations.js";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { disassembly } from "../helpers/disassembly.js";
import { eventsOfOwnSyncfs, runLater } from "../helpers/kernel.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/kernel", name);

test("a task's fields read through kernel pointers are this process's", async () => {
  await using probe = await open(fixture("task-fields.ts"), { params: { TARGET: process.pid } });
  const seen = eventsOfOwnSyncfs(probe, "tasks");
  expect(seen.length).toBe(1);
  const btf = loadBtf();
  expect(seen[0]).toEqual({
    tgid: process.pid,
    ppid: process.ppid,
    comm: readFileSync("/proc/self/comm", "utf8").trim(),
    exe: basename(realpathSync("/proc/self/exe")),
    size: btf.size(btf.find("task_struct", Kind.Struct)!),
    hasParent: true,
    hasLoop: true,
    loop: btf.enumValues(btf.find("bpf_func_id", Kind.Enum)!).find((v) => v.name === "BPF_FUNC_loop")!.value,
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

test("fields are loaded directly through pointers the kernel typed (tp_btf), read by the helper through others (raw_tp)", () => {
  const out = join(mkdtempSync(join(tmpdir(), "tsbpf-loads-")), "exec.bpf.o");
  try {
    expect(tsbpf(["build", fixture("exec-arguments.ts"), "-o", out]).code).toBe(0);
    const code = disassembly(out);
    const PROBE_READ_KERNEL = /call 113\b/;
    expect(code.get("tp_btf/sched_process_exec")).not.toMatch(PROBE_READ_KERNEL);
    expect(code.get("tp_btf/sched_process_exec")).toMatch(/= \*\(u32 \*\)\(r\d+ \+ \d+\)/); // ctx.p.tgid, a load
    expect(code.get("raw_tp/sched_process_exec")).toMatch(PROBE_READ_KERNEL);
  } finally {
    rmSync(dirname(out), { recursive: true, force: true });
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

/** A copy of this kernel's BTF in which task_struct's real_parent is called real_parenx: "another kernel". */
function otherKernelBtf(dir: string): string {
  const btf = Buffer.from(readFileSync("/sys/kernel/btf/vmlinux"));
  const strings = btf.readUInt32LE(4) + btf.readUInt32LE(16);
  const at = btf.indexOf("\0real_parent\0", strings);
  btf.write("real_parenx", at + 1, "latin1");
  const loop = btf.indexOf("\0BPF_FUNC_loop\0", strings);
  btf.write("BPF_FUNC_lopp", loop + 1, "latin1");
  const file = join(dir, "other.btf");
  writeFileSync(file, btf);
  return file;
}

describe("a probe built against another kernel's types", () => {
  let dir: string;
  let btf: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsbpf-other-kernel-"));
    btf = otherKernelBtf(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("reads a field this kernel lacks only under fieldExists, which is false here, as enumValueExists of a member it lacks", async () => {
    process.env.TSBPF_BTF = btf;
    try {
      await using probe = await open(fixture("other-kernel.ts"), { params: { TARGET: process.pid }, cache: false });
      const seen = eventsOfOwnSyncfs(probe, "parents");
      expect(seen).toEqual([{ known: false, ppid: -1, lopp: false }]);
    } finally {
      delete process.env.TSBPF_BTF;
    }
  });

  test("without the guard, loading names the field, the struct and the kernel, at the line", () => {
    const r = tsbpf(["run", fixture("other-kernel-unguarded.ts"), "--duration", "0", "--no-cache"], { env: { TSBPF_BTF: btf } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`other-kernel-unguarded.ts:5:18: error: program 'unguarded' cannot load: this kernel (Linux ${release()}) has no field 'real_parenx' in struct task_struct, which the probe reads`);
    expect(r.stderr).toContain("hint: the probe was built against another kernel's types");
    expectNoStack(r.stderr);
  });
});
