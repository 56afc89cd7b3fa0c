// Probes on kernel functions (kprobe, kretprobe, ksyscall, kretsyscall, fentry, fexit): the
// registers each reads, checked in the compiled object's disassembly; every kind the kernel can
// load loaded through its verifier; attached and hit where the kernel has kprobes (skipped with
// the reason elsewhere); alternatives, patterns, --missing-probes, and every bad input.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TsbpfError } from "../../contract/errors.js";
import { kernelHasKprobes } from "../../runtime/attach/kernel-functions.js";
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { disassembly } from "../helpers/disassembly.js";
import { loadedPrograms, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/kernel-functions", name);
const dir = mkdtempSync(join(tmpdir(), "tsbpf-kfunc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** The byte offsets of the 8-byte loads from the program's context (r1 on entry, before any call). */
const contextLoads = (code: string) => [...code.matchAll(/= \*\(u64 \*\)\(r1 \+ (\d+)\)/g)].map((m) => Number(m[1]));

// struct pt_regs as the UAPI lays it out; the calling conventions' argument registers.
const X86_64 = { di: 112, si: 104, dx: 96, cx: 88, r8: 72, r9: 64, ax: 80, r10: 56 };

describe("the registers each kind reads (the compiled object's disassembly)", () => {
  let code: Map<string, string>;
  beforeAll(() => {
    const out = join(dir, "registers.bpf.o");
    expect(tsbpf(["build", fixture("registers.ts"), "-o", out]).code).toBe(0);
    code = disassembly(out);
  });

  test("kprobe: the six argument registers, in order; kretprobe: the return register", () => {
    if (process.arch !== "x64") return console.log(`skipped: the expected offsets are written out for x86-64, not ${process.arch}`);
    const r = X86_64;
    expect(contextLoads(code.get("kprobe/do_sys_openat2")!).sort()).toEqual([r.di, r.si, r.dx, r.cx, r.r8, r.r9].sort());
    expect(contextLoads(code.get("kretprobe/do_sys_openat2")!)).toEqual([r.ax]);
    expect(contextLoads(code.get("kretsyscall/openat")!)).toEqual([r.ax]);
  });

  test("ksyscall: the user's registers behind the wrapper's first argument, the fourth in r10, each read with bpf_probe_read_kernel", () => {
    if (process.arch !== "x64") return console.log(`skipped: the expected offsets are written out for x86-64, not ${process.arch}`);
    const sys = code.get("ksyscall/openat")!;
    // Every read starts from the inner pt_regs the wrapper's first argument (di) points to.
    expect(new Set([...sys.matchAll(/= \*\(u64 \*\)\(r\d \+ (\d+)\)/g)].map((m) => Number(m[1])))).toEqual(new Set([X86_64.di]));
    const added = [...sys.matchAll(/r3 \+= (\d+)/g)].map((m) => Number(m[1]));
    expect(added).toEqual([X86_64.di, X86_64.si, X86_64.dx, X86_64.r10]);
    expect(sys.match(/call 113\b/g)).toHaveLength(4); // bpf_probe_read_kernel
  });

  test("fentry reads the trampoline's array of u64; fexit's return value comes from bpf_get_func_ret", () => {
    expect(contextLoads(code.get("fentry/do_sys_openat2")!).sort((a, b) => a - b)).toEqual([0, 8, 16]);
    const exit = code.get("fexit/do_sys_openat2")!;
    expect(contextLoads(exit)).toEqual([0]);
    expect(exit).toMatch(/call 184\b/);
  });

  test("funcName() is bpf_get_func_ip on the program's context; a pattern keeps its section", () => {
    expect(code.get("kprobe/vfs_*")).toMatch(/call 173\b/);
  });
});

describe("loading and attaching", () => {
  test("kprobe, kretprobe, ksyscall, kretsyscall, a pattern and bcc's kprobe__ load as kprobe programs; attached where the kernel has kprobes", async () => {
    const child = syncfsLater();
    const probe = await open(fixture("kprobes.ts"), { params: { TARGET: child.pid } });
    try {
      const names = ["enter", "leave", "sync", "synced", "syncs", "kprobe__sync_inodes_sb"];
      expect(probe.programs.map((p) => [p.name, p.kind])).toEqual(names.map((n, i) => [n, ["ksyscall", "kretsyscall", "kprobe", "kretprobe", "kprobe", "kprobe"][i]]));
      const loaded = loadedPrograms().filter((p) => p.type === "kprobe" && p.name !== undefined && names.some((n) => n.startsWith(p.name!)));
      expect(loaded.length).toBe(names.length);
      if (!kernelHasKprobes()) {
        let error: unknown;
        try {
          probe.attach();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TsbpfError);
        expect((error as TsbpfError).message).toMatch(/^cannot attach ksyscall to 'syncfs'/);
        expect((error as TsbpfError).options.hint).toMatch(/no kprobes \(CONFIG_KPROBES is off/);
        await child.go();
        return console.log("attach skipped: this kernel has no kprobes (CONFIG_KPROBES off); the programs loaded through the verifier");
      }
      probe.openTracePipe();
      const links = probe.attach().map((l) => l.description);
      expect(links.slice(0, 4)).toEqual(["ksyscall:syncfs", "kretsyscall:syncfs", "kprobe:sync_filesystem", "kretprobe:sync_filesystem"]);
      expect(links[4]).toMatch(/^kprobe:sync_\* \(\d+ functions\)$/);
      await child.go();
      const lines: string[] = [];
      for await (const l of probe.traceLines(AbortSignal.timeout(10_000))) {
        lines.push(l.message);
        if (lines.length === 5) break;
      }
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^syncfs\\(\\d+\\) by ${child.pid}$`)), "sync_filesystem 1", "sync_filesystem returned 0"]));
      // The pattern's handler counted by function: sync_filesystem among them, by its address.
      expect([...probe.map("calls").keys()].length).toBeGreaterThan(0);
    } finally {
      probe.close();
    }
  });

  test("fentry and fexit load where the kernel has BPF trampolines; elsewhere the refusal says so, at the program", async () => {
    let probe;
    try {
      probe = await open(fixture("fentry.ts"));
    } catch (e) {
      expect(e).toBeInstanceOf(TsbpfError);
      const err = e as TsbpfError;
      expect(err.message).toBe("the kernel refused to load fentry program 'into' (EPERM)");
      expect(err.at?.line).toBe(6);
      expect(err.options.hint).toMatch(/BPF trampolines/);
      return console.log("load and attach skipped: this kernel refuses fentry programs (EPERM: no BPF trampolines)");
    }
    try {
      expect(probe.attach().map((l) => l.description)).toEqual(["fentry:sync_filesystem", "fexit:sync_filesystem"]);
    } finally {
      probe.close();
    }
  });

  test("a list attaches the first function the kernel has (fuse_open where fuse_open_common is gone)", async () => {
    const probe = await open(fixture("alternatives.ts"));
    try {
      expect(probe.programs[0].alternatives).toEqual(["fuse_open_common", "fuse_open"]);
      const has = (name: string) => execFileSync("grep", ["-c", `^[0-9a-f]* [tT] ${name}$`, "/proc/kallsyms"], { encoding: "utf8" }).trim() !== "0";
      const expected = ["fuse_open_common", "fuse_open"].find((n) => {
        try {
          return has(n);
        } catch {
          return false; // grep exits 1 when it counts none
        }
      });
      if (!kernelHasKprobes()) {
        expect(() => probe.attach()).toThrow(`cannot attach kprobe to '${expected}'`);
        return console.log(`attach skipped: no kprobes here; the choice ('${expected}') was checked in the error`);
      }
      expect(probe.attach().map((l) => l.description)).toEqual([`kprobe:${expected}`]);
    } finally {
      probe.close();
    }
  });
});

describe("--missing-probes", () => {
  test("error (the default): the first missing function that is not optional, with the nearest names the kernel has", () => {
    const r = tsbpf(["run", fixture("missing.ts"), "-d", "0"]);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    expect(r.stderr).toMatch(/missing\.ts:7:34: error: ksyscall: system call 'opnat' does not exist on this kernel/);
    expect(r.stderr).toMatch(/hint: did you mean 'openat'/);
    expect(r.stderr).not.toMatch(/tsbpf_no_such_function/); // optional: never an error
  });

  test("warn: each missing one said, the run goes on; an optional one is not warned about", () => {
    const r = tsbpf(["run", fixture("missing.ts"), "-d", "0", "--missing-probes=warn"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tsbpf: warning: not attached: misspelt: ksyscall: system call 'opnat' does not exist .*missing\.ts:7:34\)\n  hint: did you mean 'openat'/);
    expect(r.stderr).toMatch(/tsbpf: warning: not attached: nothing: kprobe: no kernel function matches 'tsbpf_no_such_\*'/);
    expect(r.stderr).not.toMatch(/maybe/);
    expect(r.stderr).toMatch(/nothing to attach/);
  });

  test("ignore: nothing said", () => {
    const r = tsbpf(["run", fixture("missing.ts"), "-d", "0", "--missing-probes", "ignore"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("tsbpf: nothing to attach\n");
  });

  test("anything else is a usage error", () => {
    const r = tsbpf(["run", fixture("missing.ts"), "--missing-probes=maybe"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--missing-probes takes error, warn, ignore, not 'maybe'/);
  });

  test("a misspelt kernel function names the nearest ones", async () => {
    const file = join(dir, "misspelt.ts");
    writeFileSync(file, 'import { kprobe, printk, type u64 } from "tsbpf";\nexport const k = kprobe("vfs_raed", (a: u64) => { printk("%d", a); });\n', { flag: "wx" });
    const probe = await open(file);
    try {
      expect(() => probe.attach()).toThrow(/kernel function 'vfs_raed' does not exist on this kernel/);
      try {
        probe.attach();
      } catch (e) {
        expect((e as TsbpfError).options.hint).toMatch(/^did you mean 'vfs_read'/);
        expect((e as TsbpfError).at).toMatchObject({ line: 2, column: 25 });
      }
    } finally {
      probe.close();
    }
  });
});

describe("bad input, refused when compiling, at its place", () => {
  const HEADER = 'import { kprobe, kretprobe, fentry, fexit, ksyscall, tracepoint, funcName, printk, type u8, type u32, type u64, type i64, type Ptr } from "tsbpf";\n';
  let n = 0;
  const refusal = (body: string) => {
    const file = join(dir, `bad${n++}.ts`);
    writeFileSync(file, HEADER + body + "\n", { flag: "wx" });
    const e = compileErrorOf(file);
    if (!e) throw new Error(`compiled: ${body}`);
    return { code: e.code, message: e.message, hint: e.options.hint, line: e.at?.line, column: e.at?.column };
  };

  test.each([
    ["a 7th argument of a kprobe", 'export const k = kprobe("f", (a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64) => {});', "TSB1121", /kprobe's handler takes at most 6 parameters: the arguments past the 6th are passed on the stack on x86_64/],
    ["a pattern's argument typed as a struct pointer", 'export const k = kprobe("vfs_*", (file: Ptr<u8>) => {});', "TSB1121", /parameter 'file' is a Ptr<u8>, but the functions a pattern \("vfs_\*"\) matches have arguments of different types: each is a u64/],
    ["a pattern's argument typed u32", 'export const k = kprobe("vfs_*", (a: u64, b: u32) => {});', "TSB1121", /parameter 'b' is a u32/],
    ["an untyped argument of a function without a prototype", 'export const k = kprobe("tsbpf_unknown", (a) => {});', "TSB1121", /parameter 'a' has no type: 'tsbpf_unknown' is not among the kernel functions whose prototypes tsbpf knows/],
    ["a struct by value", "interface S { a: u64 }\nexport const k = kprobe(\"f\", (s: S) => {});", "TSB1121", /parameter 's' is a S: a kernel function's argument is one register/],
    // The declaration takes one parameter: TypeScript says so, at the handler.
    ["a kretprobe with two parameters", 'export const k = kretprobe("f", (a: u64, b: u64) => {});', "TS2769", /No overload matches this call/],
    ["a name that is no kernel symbol", 'export const k = kprobe("vfs read", (a: u64) => {});', "TSB1120", /"vfs read" is not a kernel function name/],
    ["a pattern where fentry takes one function", 'export const k = fentry("vfs_*", (a: u64) => {});', "TSB1120", /fentry\(\) takes one kernel function, not a pattern/],
    ["a pattern in a list", 'export const k = kprobe(["vfs_*", "f"], (a: u64) => {});', "TSB1120", /a list of alternatives names functions, not patterns/],
    ["an empty list", "export const k = kprobe([], (a: u64) => {});", "TSB1120", /the list of kernel functions is empty/],
    ["a system call pattern", 'export const k = ksyscall("open*", (a: u64) => {});', "TSB1120", /ksyscall\(\) takes one system call, not a pattern/],
    ["an unknown option", 'export const k = kprobe("f", { optonal: true }, (a: u64) => {});', undefined, /optonal/],
    ["an option that is not a literal", 'const O = true;\nexport const k = kprobe("f", { optional: O }, (a: u64) => {});', "TSB1120", /`optional` must be `true` or `false`/],
    ["a name that is not a literal", 'export const k = kprobe(true ? "f" : "g", (a: u64) => {});', "TSB1101", /the kernel function's name must be a string literal/],
    ["bcc's prefix without a function", "export function kprobe__(a: u64): void {}", "TSB1122", /'kprobe__' names a kprobe program without the kernel function it probes/],
    ["bcc's kretprobe prefix without a function", "export function kretprobe__(r: u64): void {}", "TSB1122", /'kretprobe__' names a kretprobe program/],
    ["funcName() outside a probe on a function", 'export const t = tracepoint("syscalls/sys_enter_syncfs", () => { printk("%llx", funcName()); });', "TSB1109", /funcName/],
  ])("%s", (_what, body, code, message) => {
    const r = refusal(body);
    if (code) expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
    expect(r.line).toBeGreaterThan(1);
  });

  test("an untyped argument of a misspelt kernel function: the kernel's nearest names", () => {
    const r = refusal('export const k = kprobe("vfs_raed", (file, buf) => {});');
    expect(r.code).toBe("TSB1121");
    expect(r.hint).toMatch(/^the running kernel has no function 'vfs_raed': did you mean 'vfs_read'/);
  });

  test("fexit typed from KernelFunctions lists every argument before the return value", () => {
    const r = refusal(
      'declare module "tsbpf" {\n  interface KernelFunctions {\n    tsbpf_f(a: Ptr<u8>, b: u64, c: u32): i64;\n  }\n}\nexport const x = fexit("tsbpf_f", (a, b, ret) => {});',
    );
    expect(r).toMatchObject({ code: "TSB1121", line: 7 });
    expect(r.message).toBe("fexit's handler lists every argument of 'tsbpf_f' (3), then its return value: this one has 3 parameters");
  });
});

test("a function in KernelFunctions types the handler's parameters: no annotation needed, and each read as its type", () => {
  const file = join(dir, "typed.ts");
  writeFileSync(
    file,
    'import { kprobe, kretprobe, printk, type u8, type u64, type i32, type Ptr } from "tsbpf";\n' +
      'declare module "tsbpf" {\n  interface KernelFunctions {\n    tsbpf_f(a: Ptr<u8>, b: i32, c: boolean): i32;\n  }\n}\n' +
      'export const k = kprobe("tsbpf_f", (a, b, c) => { if (c) printk("%d", b); });\n' +
      'export const r = kretprobe("tsbpf_f", (ret) => { printk("%d", ret); });\n',
    { flag: "wx" },
  );
  const out = join(dir, "typed.bpf.o");
  expect(tsbpf(["build", file, "-o", out]).code).toBe(0);
  const k = disassembly(out).get("kprobe/tsbpf_f")!;
  if (process.arch === "x64") expect(contextLoads(k).sort()).toEqual([X86_64.si, X86_64.dx].sort());
  // The boolean is its low byte; the i32 is sign-extended for printk's %d.
  expect(k).toMatch(/&= 255/);
  expect(k).toMatch(/s>>= 32/);
});
