// Kernel types from this machine's BTF: the reader against bpftool's reading of the same file,
// the declarations for the whole vmlinux type-checked with TypeScript and their offsets against
// bpftool's, and `tsbpf types` / `tsbpf list` as a user runs them.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KERNEL_BTF, kernelTypes, loadBtf } from "../../compiler/btf/kernel-types.js";
import { KIND_NAMES } from "../../compiler/btf/btf-kinds.js";
import { expectNoStack, TSBPF, tsbpf } from "../helpers/tsbpf-command.js";
import { typeCheckFiles } from "../helpers/type-check.js";

interface RawType {
  kind: string;
  name: string;
  /** Members (STRUCT, UNION) in order: name ("" for an anonymous one), type id, bit offset. */
  members: { name: string; type: number; bits: number }[];
}

/** `bpftool btf dump file … format raw`, read into its types by id. */
function bpftoolTypes(): Map<number, RawType> {
  const raw = execFileSync("bpftool", ["btf", "dump", "file", KERNEL_BTF, "format", "raw"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const types = new Map<number, RawType>();
  let current: RawType | undefined;
  for (const line of raw.split("\n")) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'/.exec(line);
    if (head) types.set(Number(head[1]), (current = { kind: head[2], name: head[3] === "(anon)" ? "" : head[3], members: [] }));
    const member = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)/.exec(line);
    if (member && current) current.members.push({ name: member[1] === "(anon)" ? "" : member[1], type: Number(member[2]), bits: Number(member[3]) });
  }
  return types;
}

const raw = bpftoolTypes();
const firstStruct = (name: string) => [...raw.values()].find((t) => t.kind === "STRUCT" && t.name === name)!;

/** A field's bit offset as bpftool gives it, looking inside anonymous members as C does. */
function rawOffset(struct: RawType, field: string): number | undefined {
  for (const m of struct.members) {
    if (m.name === field) return m.bits;
    const inner = m.name === "" ? raw.get(m.type) : undefined;
    const found = inner && rawOffset(inner, field);
    if (found !== undefined) return m.bits + found;
  }
  return undefined;
}

test("the reader sees the types bpftool sees, kind by kind", () => {
  const started = performance.now();
  const btf = loadBtf();
  expect(performance.now() - started).toBeLessThan(1000);
  expect(btf.count - 1).toBe(raw.size);
  const ours = new Map<string, number>();
  const theirs = new Map<string, number>();
  for (let id = 1; id < btf.count; id++) ours.set(KIND_NAMES[btf.kind(id)], (ours.get(KIND_NAMES[btf.kind(id)]) ?? 0) + 1);
  for (const t of raw.values()) theirs.set(t.kind, (theirs.get(t.kind) ?? 0) + 1);
  expect(ours).toEqual(theirs);
  const task = btf.find("task_struct", 4)!;
  expect(raw.get(task)!.name).toBe("task_struct");
  expect(btf.members(task).map((m) => ({ name: m.name, type: m.type, bits: m.bitOffset }))).toEqual(firstStruct("task_struct").members);
});

describe("the declarations of the whole vmlinux", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-kernel-types-"));
  const file = join(dir, "vmlinux.d.ts");
  let text = "";
  beforeAll(() => {
    text = kernelTypes().bytes.toString();
    writeFileSync(file, text);
  });
  afterAll(() => rmSync(dir, { recursive: true }));

  test("type-check, with a probe's file that reads task_struct, file and dentry fields", () => {
    const use = join(dir, "use.ts");
    writeFileSync(
      use,
      [
        'import type { task_struct, file, dentry, qstr } from "./vmlinux";',
        'import type { i32, u8, Ptr } from "tsbpf";',
        "export const tgidOf = (t: task_struct): i32 => t.tgid;",
        "export const dentryOf = (f: file): Ptr<dentry> => f.f_path.dentry;",
        "export const nameOf = (d: dentry): Ptr<u8> => d.d_name.name;",
        "export const lenOf = (q: qstr) => q.len;",
        "",
      ].join("\n"),
    );
    expect(typeCheckFiles([file, use])).toEqual([]);
  }, 240_000);

  test.each([
    ["task_struct", "tgid"],
    ["file", "f_path"],
    ["dentry", "d_name"],
    ["qstr", "name"],
  ])("%s.%s is at bpftool's offset", (struct, field) => {
    const bits = rawOffset(firstStruct(struct), field);
    expect(bits).toBeDefined();
    const body = text.slice(text.indexOf(`export interface ${struct} {\n`)).split("\n}\n")[0];
    const m = new RegExp(`/\\*\\* offset (\\d+) bytes \\*/\\n  ${field}: `).exec(body);
    expect(m && Number(m[1]) * 8).toBe(bits);
  });

  test("the same BTF gives the same bytes", () => {
    expect(kernelTypes().bytes.toString() === text).toBe(true);
  });
});

describe("tsbpf types", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-types-cli-"));
  afterAll(() => rmSync(dir, { recursive: true }));

  test("-o writes <dir>/vmlinux.d.ts and says what it wrote", () => {
    const r = tsbpf(["types", "-o", join(dir, "out")]);
    expect(r.stderr).toMatch(/^tsbpf: wrote .*out\/vmlinux\.d\.ts: \d+ types \(\d+ structs, \d+ unions, \d+ enums, \d+ typedefs\) and \d+ functions, from Linux /);
    expect(r.code).toBe(0);
    const written = readFileSync(join(dir, "out", "vmlinux.d.ts"), "utf8");
    expect(written).toMatch(/^\/\/ Kernel types of Linux .*\n\/\/ BTF: \d+ bytes, sha256 [0-9a-f]{64}\n/);
    expect(written).toContain("export interface task_struct {");
    expect(r.stderr).toMatch(/\ntsbpf: wrote .*out\/tracepoints\.d\.ts: the records of \d+ tracepoints, from tracefs\n$/);
  });

  test("tracepoints.d.ts types every tracepoint's ctx in the editor: a probe reading openat's and sched_switch's fields checks clean, a wrong field does not", () => {
    const out = join(dir, "out");
    expect(existsSync(join(out, "tracepoints.d.ts"))).toBe(true);
    const probe = join(out, "probe.ts");
    writeFileSync(
      probe,
      [
        'import { tracepoint, readUserStr, printf, type Str, type i32 } from "tsbpf";',
        'export const a = tracepoint("syscalls/sys_enter_openat", (ctx) => { const path: Str<64> = readUserStr(ctx.filename, 64); const dfd: i32 = ctx.dfd; printf("%d %s\\n", dfd, path); });',
        'export const b = tracepoint("sched/sched_switch", (ctx) => { const comm: Str<16> = ctx.prev_comm; const next: i32 = ctx.next_pid; printf("%s %d\\n", comm, next); });',
        "",
      ].join("\n"),
    );
    expect(typeCheckFiles([join(out, "tracepoints.d.ts"), probe])).toEqual([]);
    writeFileSync(probe, 'import { tracepoint, printf } from "tsbpf";\nexport const a = tracepoint("syscalls/sys_enter_openat", (ctx) => { printf("%d", ctx.filenam); });\n');
    expect(typeCheckFiles([join(out, "tracepoints.d.ts"), probe])).toEqual([`${probe}:2 Property 'filenam' does not exist on type 'TracepointContext<tracepoint__syscalls__sys_enter_openat>'. Did you mean 'filename'?`]);
  });

  test("--btf of a file that is not BTF: a clear error", () => {
    const r = tsbpf(["types", "-o", dir, "--btf", "/etc/passwd"]);
    expect(r.stderr).toMatch(/^\/etc\/passwd: error: is not a usable BTF file: it starts with 0x[0-9a-f]{4}, not BTF's magic 0xeb9f\nhint: /);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
  });

  test("a kernel without BTF: says so and what to do", () => {
    // /sys/kernel/btf hidden under an empty tmpfs in a mount namespace of the command's own.
    const r = spawnSync("unshare", ["-m", "sh", "-c", 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"', TSBPF, "types", "-o", dir], { encoding: "utf8" });
    expect(r.stderr).toMatch(/^\/sys\/kernel\/btf\/vmlinux: error: this kernel has no BTF.*\nhint: use a kernel built with CONFIG_DEBUG_INFO_BTF=y.*--btf <file>/);
    expect(r.status).toBe(1);
    expectNoStack(r.stderr);
  });
});

describe("tsbpf list", () => {
  test("a tracepoint with -v shows its fields", () => {
    const r = tsbpf(["list", "tracepoint:syscalls:sys_enter_openat", "-v"]);
    expect(r.stdout).toMatch(/^tracepoint:syscalls:sys_enter_openat\n {4}int __syscall_nr\n {4}int dfd\n {4}const char \* filename\n/);
    expect(r.stdout).not.toContain("common_pid");
    expect(r.code).toBe(0);
  });

  test("a glob over kernel functions, sorted", () => {
    const r = tsbpf(["list", "kprobe:vfs_rea*"]);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContain("kprobe:vfs_read");
    expect(lines.every((l) => l.startsWith("kprobe:vfs_rea"))).toBe(true);
    expect([...lines].sort()).toEqual(lines);
    expect(r.code).toBe(0);
  });

  test("raw tracepoints with -v show the arguments a handler reads by name", () => {
    const r = tsbpf(["list", "rawtracepoint:sched_switch", "-v"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rawtracepoint:sched_switch\n {4}preempt: bool\n {4}prev: Ptr<task_struct>\n {4}next: Ptr<task_struct>\n {4}prev_state: u32\n$/);
  });

  test("a function with -v shows its typed parameters", () => {
    const r = tsbpf(["list", "kprobe:vfs_read", "-v"]);
    expect(r.stdout).toMatch(/^kprobe:vfs_read\n {4}file: Ptr<file>\n {4}buf: Ptr<[iu]8>\n {4}count: size_t\n {4}pos: Ptr<loff_t>\n {4}returns: ssize_t\n$/);
  });

  test("syscall tracepoints by a glob", () => {
    const r = tsbpf(["list", "tracepoint:syscalls:sys_enter_open*"]);
    expect(r.stdout.trim().split("\n")).toEqual(expect.arrayContaining(["tracepoint:syscalls:sys_enter_open", "tracepoint:syscalls:sys_enter_openat"]));
  });

  test("a pattern that matches nothing: exit non-zero, with the nearest names", () => {
    const r = tsbpf(["list", "kprobe:vfs_raed*"]);
    expect(r.stderr).toMatch(/^kprobe:vfs_raed\*: error: no probe matches 'kprobe:vfs_raed\*' on this kernel .*\nhint: did you mean 'kprobe:vfs_read'/);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expectNoStack(r.stderr);
  });
});
