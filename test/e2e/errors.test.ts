// Every user mistake of the first-light path: one paragraph naming the file:line:col or the
// missing thing, what to do, a non-zero exit, and no JavaScript stack.
import { readFileSync } from "node:fs";
import { compile } from "../../compiler/compile.js";
import { irToObject } from "../../compiler/llvm/codegen.js";
import { TsbpfError } from "../../contract/errors.js";
import { LoadedObject } from "../../runtime/loader.js";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/errors", name);

describe("bad input", () => {
  test("a missing file is named", () => {
    const r = tsbpf(["run", "no/such/probe.ts"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no\/such\/probe\.ts: error: no such file\nhint: /);
    expectNoStack(r.stderr);
  });

  test("a TypeScript type error is reported at its line and column with a hint", () => {
    const r = tsbpf(["build", fixture("type-error.ts"), "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("type-error.ts:4:9: error TS2322: Type 'u32' is not assignable to type 'u8'.");
    expect(r.stderr).toContain("4 |   const small: u8 = pid();");
    expect(r.stderr).toMatch(/\n {2}\| {9}\^{5}\n/);
    expect(r.stderr).toContain("write u8(x) to convert it explicitly");
    expectNoStack(r.stderr);
  });

  test("one compile reports every subset error, each with its code and line, in the order of the file", () => {
    const r = tsbpf(["build", fixture("many-errors.ts"), "-o", "/dev/null"]);
    expect(r.code).toBe(1);
    const heads = [...r.stderr.matchAll(/^(\S+):(\d+):(\d+): error (TSB\d{4}): (.*)$/gm)].map((m) => `${m[2]}:${m[3]} ${m[4]} ${m[5]}`);
    expect(heads).toEqual([
      "6:24 TSB2006 'countdown' calls itself; recursion is not supported in probe code",
      "10:18 TSB2002 functions inside expressions (closures) are not supported in probe code",
      "11:22 TSB2001 floating-point numbers are not supported in probe code",
      "12:10 TSB1203 printk does not support the conversion '%f'",
      "15:10 TSB1107 a case label must be an integer constant",
    ]);
    expect(r.stderr.startsWith(`${fixture("many-errors.ts")}:6:24: error TSB2006`)).toBe(true);
    expect(r.stderr.match(/^hint: /gm)).toHaveLength(5);
    expectNoStack(r.stderr);
  });

  test("a tracepoint this kernel lacks is named, with the nearest ones it has", () => {
    const r = tsbpf(["run", fixture("no-such-tracepoint.ts"), "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-tracepoint\.ts:3:33: error: tracepoint 'syscalls\/sys_enter_syncfz' does not exist on this kernel/);
    expect(r.stderr).toContain("did you mean 'syscalls/sys_enter_syncfs'");
    expectNoStack(r.stderr);
  });

  test("without root or CAP_BPF the user is told to run as root", () => {
    const r = tsbpf(["run", repo("examples/hello-syncfs.ts"), "--duration", "0"], {
      user: 65534,
      env: { TSBPF_CACHE_DIR: `/tmp/tsbpf-nobody-${process.pid}` },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^permission: error: not permitted to load BPF programs/);
    expect(r.stderr).toContain("run as root");
    expectNoStack(r.stderr);
  });

  test("a missing libLLVM names the Debian package", () => {
    const r = tsbpf(["build", repo("examples/hello-syncfs.ts"), "-o", "/dev/null"], { env: { TSBPF_LIBLLVM: "/nonexistent/libLLVM-14.so.1" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^libLLVM: error: libLLVM was not found/);
    expectNoStack(r.stderr);
    // Without the override the hint names the package to install.
    expect(r.stderr).toContain("TSBPF_LIBLLVM=/nonexistent/libLLVM-14.so.1 could not be loaded");
  });

  test("a missing libbpf names the Debian package", () => {
    const r = tsbpf(["run", repo("examples/hello-syncfs.ts"), "--duration", "0"], { env: { TSBPF_LIBBPF: "/nonexistent/libbpf.so.1" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^libbpf: error: libbpf was not found/);
    expectNoStack(r.stderr);
  });

  test("a temporary directory that cannot be written, when parts are linked, is named with what to do", () => {
    const r = tsbpf(["build", repo("test/fixtures/language/parts.ts"), "-o", "/dev/null", "--jobs", "2"], { env: { TMPDIR: "/nonexistent-tsbpf-tmp" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/nonexistent-tsbpf-tmp: error: cannot write the parts' objects for linking (ENOENT)");
    expect(r.stderr).toContain("point TMPDIR at a writable directory");
    expectNoStack(r.stderr);
  });

  test("unknown commands and options are usage errors", () => {
    expect(tsbpf(["frobnicate", "x.ts"]).code).toBe(2);
    const r = tsbpf(["run", repo("examples/hello-syncfs.ts"), "--durtion", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--durtion'");
    expect(tsbpf(["run", repo("examples/hello-syncfs.ts"), "--duration", "soon"]).stderr).toContain("--duration takes a number of seconds");
    const jobs = tsbpf(["build", repo("examples/hello-syncfs.ts"), "-o", "/dev/null", "--jobs", "0"]);
    expect([jobs.code, jobs.stderr]).toEqual([2, expect.stringContaining("--jobs takes a number of parts from 1 to 64, not '0'")]);
  });

  test("the verifier's rejection is reported at the TypeScript line it points to", () => {
    // A real rejection: the same program without a GPL licence may not call bpf_trace_printk.
    const file = repo("examples/hello-printk.ts");
    const c = compile(file, { emitLLVM: true });
    const ir = c.ir!.replace('c"GPL\\00"', 'c"MIT\\00"');
    expect(ir).toContain('c"MIT\\00"');
    const object = irToObject(ir).object;
    let error: unknown;
    try {
      LoadedObject.load({ file, object, programs: c.programs }).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TsbpfError);
    const text = (error as TsbpfError).format();
    const line = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes("printk(")) + 1;
    expect(text).toContain(`hello-printk.ts:${line}:3: error: the kernel verifier rejected program 'hello': cannot call GPL-restricted function`);
    expect(text).toContain("hint: the licence section must be GPL-compatible");
  });
});

describe("help", () => {
  test("--help, --version and per-command help", () => {
    expect(tsbpf(["--help"]).stdout).toContain("usage: tsbpf <command>");
    expect(tsbpf(["--version"]).stdout).toMatch(/^tsbpf \d+\.\d+\.\d+\n$/);
    for (const cmd of ["build", "run"]) {
      const r = tsbpf([cmd, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: tsbpf ${cmd} <probe.ts>`);
      expect(tsbpf(["help", cmd]).stdout).toBe(r.stdout);
    }
  });
});
