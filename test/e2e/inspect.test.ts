// `tsbpf inspect` shows what the kernel will be given: each program's instructions under the
// TypeScript lines they come from, counted as libbpf loads them (held against
// bpf_program__insn_cnt after a real load), the maps as the kernel creates them (held against
// libbpf's view of the loaded object), the params and the BTF. The decoder is held against
// llvm-objdump on every instruction of every example.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, type CompileResult } from "../../compiler/compile.js";
import { sizeOf } from "../../contract/c-layout.js";
import { libbpf } from "../../native/libbpf.js";
import { LoadedObject } from "../../runtime/loader.js";
import { BpfObject } from "../../runtime/inspect/bpf-object.js";
import { instructionText } from "../../runtime/inspect/bpf-instructions.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-inspect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `tsbpf inspect` printed, in blocks: each function's header and lines, and the maps, params and BTF blocks. */
interface Inspected {
  functions: Map<string, { header: string; lines: string[] }>;
  blocks: Map<string, string[]>;
}

function inspected(file: string): Inspected {
  const r = tsbpf(["inspect", file]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  const functions = new Map<string, { header: string; lines: string[] }>();
  const blocks = new Map<string, string[]>();
  for (const block of r.stdout.trimEnd().split("\n\n").slice(1)) {
    const [header, ...lines] = block.split("\n");
    const f = /^(?:sub)?program (\S+): /.exec(header);
    if (f) functions.set(f[1], { header, lines });
    else blocks.set(header.split(/[ :(]/)[0], [header, ...lines]);
  }
  return { functions, blocks };
}

/** The instruction count a function's header states: as libbpf loads it, where that differs from its own. */
function statedCount(header: string): number {
  const m = /, (\d+) instructions?(?:, (\d+) as libbpf loads it)?/.exec(header);
  if (!m) throw new Error(`no count in '${header}'`);
  return Number(m[2] ?? m[1]);
}

/** Each program's instruction count after a real load, as libbpf reports it (bpf_program__insn_cnt). */
function loadedCounts(c: CompileResult, object = c.object): Map<string, number> {
  const loaded = LoadedObject.load({ ...c, object });
  try {
    return new Map(loaded.programs.map((p) => [p.info.name, libbpf().programInsnCount(p.handle)]));
  } finally {
    loaded.close();
  }
}

/** The maps named `names` of the loaded object, as libbpf describes them. */
function loadedMaps(c: CompileResult, names: string[]): Map<string, { type: number; maxEntries: number; keySize: number; valueSize: number }> {
  const loaded = LoadedObject.load(c);
  const lib = libbpf();
  try {
    return new Map(
      names.map((name) => {
        const m = loaded.mapHandle(name);
        return [name, { type: lib.mapType(m), maxEntries: lib.mapMaxEntries(m), keySize: lib.mapKeySize(m), valueSize: lib.mapValueSize(m) }];
      }),
    );
  } finally {
    loaded.close();
  }
}

// include/uapi/linux/bpf.h's numbers of the map types the examples use, as bpftool names them.
const MAP_TYPE_NAMES: Record<number, string> = { 1: "hash", 2: "array", 4: "perf_event_array", 5: "percpu_hash", 6: "percpu_array", 7: "stack_trace", 9: "lru_hash", 27: "ringbuf" };

/** Asserts that the source line matching `source` is shown above an instruction matching each of `instructions`, before the next source line (the line may be shown more than once: code of a statement can be spread out). */
function expectUnder(lines: string[], source: RegExp, ...instructions: RegExp[]): void {
  const under: string[] = [];
  lines.forEach((l, start) => {
    if (!l.startsWith(";") || !source.test(l)) return;
    const end = lines.findIndex((next, i) => i > start && next.startsWith(";"));
    under.push(...lines.slice(start + 1, end < 0 ? undefined : end));
  });
  expect([source.source, under.length > 0]).toEqual([source.source, true]);
  for (const i of instructions) expect([source.source, i.source, under.some((l) => i.test(l))]).toEqual([source.source, i.source, true]);
}

/** The TypeScript lines the kernel's own copy of the line info names (bpftool's xlated dump of the loaded program). */
function kernelLineNumbers(object: Buffer, program: string): Set<number> {
  const file = join(dir, `${program}.bpf.o`);
  const pin = `/sys/fs/bpf/tsbpf-inspect-${process.pid}`;
  writeFileSync(file, object);
  try {
    execFileSync("bpftool", ["prog", "loadall", file, pin]);
    const text = execFileSync("bpftool", ["prog", "dump", "xlated", "pinned", `${pin}/${program}`, "linum"], { encoding: "utf8" });
    return new Set([...text.matchAll(/ line_num:(\d+) /g)].map((m) => Number(m[1])).filter((n) => n > 0));
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
}

const shownLineNumbers = (lines: string[]) => new Set(lines.flatMap((l) => /^; .* @ [^:]+:(\d+)/.exec(l)?.[1] ?? []).map(Number));

test("hello-printk: printk's line above the format's load and the helper call; the count libbpf loads", () => {
  const file = repo("examples/hello-printk.ts");
  const shown = inspected(file);
  const hello = shown.functions.get("hello")!;
  expect(hello.header).toMatch(/^program hello: section tracepoint\/syscalls\/sys_enter_syncfs, \d+ instructions; tracepoint syscalls\/sys_enter_syncfs, hello-printk\.ts:6$/);
  expectUnder(hello.lines, /^; printk\("syncfs called"\); @ hello-printk\.ts:7:3$/, /^ +0: \(18\) r1 = map\[\.rodata\]\+0 "syncfs called\\n"$/, /\(85\) call bpf_trace_printk#6$/);
  const c = compile(file);
  expect(statedCount(hello.header)).toBe(loadedCounts(c).get("hello"));
  expect(shown.blocks.get("maps")).toEqual(["maps: none"]);
  expect(shown.blocks.get("params")).toEqual(["params: none"]);
  expect(shown.blocks.get("BTF")).toContain("  int hello(void *ctx);");
});

test("execsnoop: each statement above its instructions (CO-RE reads, the params, the ring buffer), maps and params from the manifest", () => {
  const file = repo("examples/execsnoop.ts");
  const shown = inspected(file);
  const exec = shown.functions.get("exec")!.lines;
  expectUnder(exec, /^; const ppid = currentTask\(\)\.real_parent\.tgid; @ execsnoop\.ts:22:/, /call bpf_get_current_task#35$/, /CO-RE field offset: task_struct\.real_parent \*\/$/, /CO-RE field offset: task_struct\.tgid \*\/$/, /call bpf_probe_read_kernel#113$/);
  expectUnder(exec, /^; if \(TARGET_PPID !== 0 && ppid !== i32\(TARGET_PPID\)\) return; @ execsnoop\.ts:23:/, /r1 = map\[\.rodata\.params\]\+0 \(tsbpf_params\)$/);
  expectUnder(exec, /^; execs\.emit\(\{ pid: pid\(\), .* @ execsnoop\.ts:24:/, /\(18\) r1 = map\[execs\]$/, /call bpf_ringbuf_reserve#131$/, /call bpf_get_current_pid_tgid#14$/, /call bpf_ringbuf_submit#132$/);
  // Every line the kernel's copy of the line info names is shown.
  const c = compile(file);
  const kernelLines = kernelLineNumbers(c.object, "exec");
  expect(kernelLines.size).toBeGreaterThan(2);
  expect([...kernelLines].filter((n) => !shownLineNumbers(exec).has(n))).toEqual([]);
  expect(statedCount(shown.functions.get("exec")!.header)).toBe(loadedCounts(c).get("exec"));

  const event = c.maps.find((m) => m.name === "execs")!.value;
  expect(shown.blocks.get("maps")).toEqual([
    "maps:",
    `  execs: ringbuf, max_entries 262144; RingBuf, events ExecEvent (${sizeOf(event)} bytes), execsnoop.ts:19`,
    "  execs.drops: percpu_array, max_entries 1, key u32 (4 bytes), value u64 (8 bytes); added by tsbpf",
  ]);
  expect(shown.blocks.get("params")).toEqual(["params (.rodata.params, set at load: --param NAME=value):", "  TARGET_PPID: u32 = 0 (offset 0)"]);
  expect(shown.blocks.get("BTF")).toEqual(expect.arrayContaining(["  struct tsbpf_params { u32 TARGET_PPID; };  /* 4 bytes */", "  int exec(void *ctx);"]));
});

test("a probe with maps: each map's kind, key and value types and sizes, as the kernel creates them", () => {
  for (const example of ["syscall-counts", "opensnoop", "runqlat"]) {
    const file = repo(`examples/${example}.ts`);
    const shown = inspected(file);
    const c = compile(file);
    const lines = shown.blocks.get("maps")!.slice(1);
    const kernel = loadedMaps(c, lines.map((l) => /^  (\S+): /.exec(l)![1]));
    // Each map listed is as the kernel created it: its type, entries and sizes (libbpf's view after the load).
    for (const [name, m] of kernel) {
      const line = lines.find((l) => l.startsWith(`  ${name}: `));
      expect([name, line]).toEqual([name, expect.stringContaining(`${name}: ${MAP_TYPE_NAMES[m.type]}, max_entries ${m.maxEntries}`)]);
      if (m.keySize) expect([name, line]).toEqual([name, expect.stringMatching(new RegExp(`, key .* \\(${m.keySize} bytes?\\)`))]);
      if (m.valueSize && m.type !== 4) expect([name, line]).toEqual([name, expect.stringMatching(new RegExp(`, value .* \\(${m.valueSize} bytes?\\)`))]);
    }
    // …and each map the probe declares, with its class and its types as TypeScript names them.
    for (const m of c.maps) expect([example, lines.some((l) => l.startsWith(`  ${m.name}: `) && l.includes(`; ${m.kind}, `) && l.includes(`, ${example}.ts:${m.line}`))]).toEqual([example, true]);
  }
  const counts = inspected(repo("examples/syscall-counts.ts")).blocks.get("maps")!;
  expect(counts).toContain("  byProcess: percpu_hash, max_entries 4096, key char [16] (16 bytes), value u64 (8 bytes); Count, key Str<16> (16 bytes), value u64 (8 bytes), syscall-counts.ts:12");
  expect(counts).toContain("  total: percpu_array, max_entries 1, key u32 (4 bytes), value u64 (8 bytes); Count, value u64 (8 bytes), syscall-counts.ts:13");
});

test("an object `tsbpf build` wrote: programs, the subprogram libbpf appends, params from BTF and .rodata.params", () => {
  const source = repo("test/fixtures/inspect/subprogram.ts");
  const object = join(dir, "subprogram.bpf.o");
  expect(tsbpf(["build", source, "-o", object]).code).toBe(0);
  const shown = inspected(object);
  expect([...shown.functions.keys()]).toEqual(["once", "twice", "thrice", "mix"]);
  expect(shown.functions.get("mix")!.header).toMatch(/^subprogram mix: section \.text, \d+ instructions; called by twice$/);
  expect(shown.functions.get("twice")!.header).toMatch(/, \d+ as libbpf loads it \(with mix\)$/);
  expectUnder(shown.functions.get("twice")!.lines, /^; printk\("%llu", mix\(u64\(pid\(\)\), 5\) \+ mix\(7, u64\(pid\(\)\)\)\); @ subprogram\.ts:24:/, /\(85\) call mix$/);
  expectUnder(shown.functions.get("mix")!.lines, /^; let h: u64 = a \^ SEED; @ subprogram\.ts:8:/, /r\d = map\[\.rodata\.params\]\+0 \(tsbpf_params\)$/);
  // The counts are libbpf's, for the very object inspected: twice's includes mix, appended at load.
  const counts = loadedCounts(compile(source), readFileSync(object));
  for (const name of ["once", "twice", "thrice"]) expect([name, statedCount(shown.functions.get(name)!.header)]).toEqual([name, counts.get(name)]);
  expect(counts.get("twice")).toBe(Number(/, (\d+) instructions/.exec(shown.functions.get("twice")!.header)![1]) + Number(/, (\d+) instructions/.exec(shown.functions.get("mix")!.header)![1]));
  // Without a manifest, the params are what BTF and the section say.
  expect(shown.blocks.get("params")).toEqual(["params and data (initial values; a loader may set those in .rodata* before loading):", "  .rodata.params+0: u64 SEED = 7 (8 bytes)"]);
  expect(shown.blocks.get("BTF")).toEqual(expect.arrayContaining(["  static u64 mix(u64 a, u64 b);", "  struct tsbpf_params { u64 SEED; };  /* 8 bytes */", '  const struct tsbpf_params tsbpf_params;  /* SEC(".rodata.params") */']));
});

test("the decoder reads every instruction of the examples and the language fixtures as llvm-objdump does", () => {
  const files = [...sourcesIn("examples"), ...sourcesIn("test/fixtures/language"), repo("test/fixtures/inspect/subprogram.ts")];
  let compared = 0;
  const opcodes = new Set<number>();
  for (const file of files) {
    const c = compile(file);
    const objectFile = join(dir, "decoded.bpf.o");
    writeFileSync(objectFile, c.object);
    const objdump = llvmObjdump(objectFile);
    const o = new BpfObject(c.object, objectFile);
    for (const f of o.functions) {
      const theirs = objdump.get(f.section.name)!;
      for (const s of o.instructions(f)) {
        const slot = f.offset / 8 + s.index;
        // The bytes' meaning only (what the operands name is asserted above): a wide load's immediate, a call's offset.
        const ours = asLlvmWrites(instructionText(s.instruction, s.next));
        // LLVM 14's disassembler prints <unknown> for a modulo by a constant (BPF_MOD | BPF_K), which its own code generator emits.
        const expected = theirs.get(slot) === "<unknown>" && (s.instruction.code === 0x94 || s.instruction.code === 0x97) ? ours.replace(/^[rw]\d+ %= -?\d+$/, "<unknown>") : ours;
        expect([file, f.name, slot, expected]).toEqual([file, f.name, slot, theirs.get(slot)]);
        opcodes.add(s.instruction.code);
        compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(5000);
  expect(opcodes.size).toBeGreaterThan(50);
});

const sourcesIn = (folder: string): string[] => readdirSync(repo(folder)).filter((n) => n.endsWith(".ts")).map((n) => repo(folder, n));

/** llvm-objdump's text of each instruction, by section and slot. */
function llvmObjdump(file: string): Map<string, Map<number, string>> {
  const tools = ["llvm-objdump", "llvm-objdump-14", "llvm-objdump-15"];
  for (const tool of tools) {
    let text: string;
    try {
      text = execFileSync(tool, ["-d", "--no-show-raw-insn", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    const out = new Map<string, Map<number, string>>();
    let section: Map<number, string> | undefined;
    for (const line of text.split("\n")) {
      const s = /^Disassembly of section (.+):$/.exec(line);
      if (s) out.set(s[1], (section = new Map()));
      const i = /^\s+(\d+):\s+(.*?)\s*$/.exec(line);
      if (i && section) section.set(Number(i[1]), i[2].replace(/ <\w+>$/, ""));
    }
    return out;
  }
  throw new Error(`no llvm-objdump here (tried ${tools.join(", ")}): install llvm-14`);
}

/** Our kernel-syntax text in LLVM's syntax: no opcode, spaced offsets, signed decimal immediates, numbered calls, `ll` loads. */
function asLlvmWrites(text: string): string {
  return text
    .replace(/^\(\w\w\) /, "")
    .replace(/\((r\d+) ([+-])(\d+)\)/g, "($1 $2 $3)")
    .replace(/(goto|call) pc([+-]\d+)/, "$1 $2")
    .replace(/ 0x([0-9a-f]+) goto/, (_, hex: string) => ` ${Number.parseInt(hex, 16) | 0} goto`)
    .replace(/^call \w+#(\d+)$/, "call $1")
    .replace(/^(r\d+) = 0x([0-9a-f]+)$/, (_, r: string, hex: string) => `${r} = ${BigInt.asIntN(64, BigInt(`0x${hex}`))} ll`);
}

test("what is not a BPF object is an error that says what it is, never a crash", () => {
  const truncated = join(dir, "truncated.bpf.o");
  writeFileSync(truncated, compile(repo("examples/hello-syncfs.ts")).object.subarray(0, 200));
  const cases: [string, RegExp][] = [
    [repo("README.md"), /README\.md: error: is not a BPF object: it is not an ELF file/],
    [process.execPath, /error: is not a BPF object: it is an ELF file for (x86-64|AArch64), not a BPF object/],
    [truncated, /truncated\.bpf\.o: error: is not a BPF object: it is malformed: its section headers \(\d+ bytes at \d+\) would end past the file's 200 bytes/],
    [dir, /error: is a directory, not a BPF object/],
    [join(dir, "missing.bpf.o"), /missing\.bpf\.o: error: no such file/],
  ];
  for (const [file, message] of cases) {
    const r = tsbpf(["inspect", file]);
    expect([file, r.code, r.stdout]).toEqual([file, 1, ""]);
    expect(r.stderr).toMatch(message);
    expectNoStack(r.stderr);
  }
});
