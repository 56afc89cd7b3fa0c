// usdt on a C program the test builds with gcc and sys/sdt.h (test/fixtures/usdt/target.c), whose
// probes pass their arguments in every form gcc writes (registers and their low parts, negative
// numbers, a constant, the stack, a global by %rip, an array element by base + index × scale)
// and one behind a semaphore; the handler's parameters checked against the note; `--pid`;
// `tsbpf list usdt:`; every bad target an error at its line; and examples/pyflow.ts on python3.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { libbpf } from "../../native/libbpf.js";
import { open, TsbpfError } from "../../runtime/index.js";
import { targetAttachError } from "../helpers/attach-error.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { expectNoStack, repo, Running, runLimitedToPid, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/usdt", name);
const dir = mkdtempSync(join(tmpdir(), "tsbpf-usdt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = join(dir, "target");
const plain = join(dir, "plain");

beforeAll(() => {
  // CI installs gcc and systemtap-sdt-dev (sys/sdt.h).
  if (!existsSync("/usr/bin/gcc")) throw new Error("no gcc to build the probed program (.ci/run installs it)");
  execFileSync("/usr/bin/gcc", ["-O2", "-o", program, fixture("target.c"), fixture("guarded.c")]);
  writeFileSync(join(dir, "plain.c"), "int main(void) { return 0; }\n");
  execFileSync("/usr/bin/gcc", ["-O2", "-o", plain, join(dir, "plain.c")]);
});

/** The fixture `name` with its TARGET_BINARY replaced, written into the test's directory. */
function probeFile(name: string, binary = program, out = name): string {
  const path = join(dir, out);
  writeFileSync(path, readFileSync(fixture(name), "utf8").replaceAll("TARGET_BINARY", binary));
  return path;
}

/** The program, started and waiting for a line on stdin before it passes its probes `count` times. */
function startProgram(count: number, binary = program) {
  const child = spawn(binary, [String(count)], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  // "close", not "exit": what it printed is read to the end.
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    pid: child.pid!,
    /** Lets it run; what it printed: the guarded probe's semaphore while it ran. */
    async go(): Promise<string> {
      child.stdin.end("go\n");
      expect(await exited).toBe(0);
      return out.trim();
    },
  };
}

type Event = Record<string, unknown>;
const withoutPid = (events: Event[], pid: number) => events.filter((e) => e.pid === pid).map(({ pid: _, ...rest }) => rest);

describe("usdt on a program built with sys/sdt.h", () => {
  test("its note has every form of argument the test means to read", () => {
    const r = tsbpf(["list", `usdt:${program}`]);
    expect(r.code).toBe(0);
    const listed = r.stdout;
    expect(listed).toMatch(/arg0: i64 in %r\w+ \(-8@%r\w+\)/); // a register, negative
    expect(listed).toMatch(/arg1: i32 in %\w+ \(-4@%\w+\)/); // a register's low 32 bits
    expect(listed).toMatch(/arg2: u8 in %\w+ \(1@%\w+\)/); // its low byte
    expect(listed).toMatch(/arg4: i32 constant 42 \(-4@\$42\)/);
    expect(listed).toMatch(/arg0: i32 at \d*\(%rsp\) \(-4@\d*\(%rsp\)\)/); // the stack
    expect(listed).toMatch(/arg1: i64 at tsbpf_counter\(%rip\)/); // a global
    expect(listed).toMatch(/arg0: i32 at -?\d*\(%\w+,%\w+,4\)/); // base + index × 4
  });

  test("each argument comes back as the handler declares it, sign and size kept; the semaphore is raised while attached", async () => {
    // Not attached: the guarded probe's semaphore stays 0 and the program skips it.
    expect(await startProgram(1).go()).toBe("0");
    await using probe = await open(probeFile("probes.ts"));
    const streams = Object.fromEntries(["kinds", "memory", "indexed", "guarded"].map((n) => [n, probe.events(n)]));
    expect(probe.attach().map((l) => l.description)).toEqual(["kinds", "memory", "indexed", "guarded"].map((n) => `usdt:${program}:tsbpf:${n}`));
    const child = startProgram(3);
    expect(await child.go()).toBe("1");
    const seen: Record<string, Event[]> = {};
    for (const [name, stream] of Object.entries(streams)) stream.poll((batch) => (seen[name] = [...(seen[name] ?? []), ...(batch as Event[])]));
    const mine = (name: string) => withoutPid(seen[name] ?? [], child.pid);
    expect(mine("kinds")).toEqual([0, 1, 2].map((i) => ({ big: -5000000000n + BigInt(i), small: -7 - i, byte: 200 + i, name: i % 2 ? "odd" : "even", constant: 42 })));
    expect(mine("memory")).toEqual([0, 1, 2].map((i) => ({ onstack: 1000 + i, counter: 1234567n + BigInt(i) })));
    expect(mine("indexed")).toEqual([{ value: 10 }, { value: 20 }, { value: 30 }]);
    expect(mine("guarded")).toEqual([{ value: 0 }, { value: -1 }, { value: -2 }]);
  });

  test("the object keeps libbpf's USDT ABI: usdt/ sections and usdt.bpf.h's two maps", async () => {
    await using probe = await open(probeFile("probes.ts"));
    const out = join(dir, "probes.bpf.o");
    const r = tsbpf(["build", probeFile("probes.ts"), "-o", out]);
    expect(r.code).toBe(0);
    const sections = execFileSync("readelf", ["-SW", out], { encoding: "utf8" });
    expect(sections).toContain(`usdt/${program}:tsbpf:kinds`);
    const symbols = execFileSync("readelf", ["-sW", out], { encoding: "utf8" });
    expect(symbols).toMatch(/ __bpf_usdt_specs$/m);
    expect(symbols).toMatch(/ __bpf_usdt_ip_to_spec_id$/m);
    expect(probe.programs.length).toBe(4);
  });

  test("libbpf 1.1's own bpf_program__attach_usdt attaches the object, and the program reads what libbpf wrote", async () => {
    const koffi = require("koffi") as typeof import("koffi");
    const attachUsdt = koffi.load("libbpf.so.1").func("void *bpf_program__attach_usdt(void *prog, int pid, const char *path, const char *provider, const char *name, void *opts)");
    await using probe = await open(probeFile("probes.ts"));
    const kinds = probe.events("kinds");
    // The loaded program's libbpf handle (Probe keeps it private: a C loader has it).
    const loaded = (probe as unknown as { loaded: { programs: { info: { name: string }; handle: bigint }[] } }).loaded.programs.find((p) => p.info.name === "onKinds")!;
    // Only the forms libbpf 1.1 parses: tsbpf:kinds (registers, memory at %rsp, a constant).
    const link = attachUsdt(loaded.handle, -1, program, "tsbpf", "kinds", null) as bigint | null;
    expect(link).not.toBeNull();
    try {
      const child = startProgram(2);
      await child.go();
      const seen: Event[] = [];
      kinds.poll((batch) => seen.push(...(batch as Event[])));
      expect(withoutPid(seen, child.pid)).toEqual([0, 1].map((i) => ({ big: -5000000000n + BigInt(i), small: -7 - i, byte: 200 + i, name: i % 2 ? "odd" : "even", constant: 42 })));
    } finally {
      libbpf().linkDestroy(link!);
    }
  });

  test("tsbpf run --pid: with two processes of the program running, only the one named is seen", async () => {
    const counted = startProgram(2);
    const other = startProgram(4);
    const path = join(dir, "count.ts");
    writeFileSync(path, `import { Count, pid, usdt, type i32 } from "tsbpf";\nexport const calls = new Count<u32>();\nimport type { u32 } from "tsbpf";\nexport const a = usdt("${program}:tsbpf:indexed", (v: i32) => { calls.increment(pid()); });\n`);
    const stdout = await runLimitedToPid(path, counted, other);
    expect(stdout).toContain(`@calls[${counted.pid}]: 2`);
    expect(stdout).not.toContain(`[${other.pid}]`);
  });
});

describe("the handler's parameters against the note: each mismatch an error at the parameter", () => {
  const attachError = async (params: string, probeName = "tsbpf:kinds"): Promise<TsbpfError> => {
    const path = join(dir, "params.ts");
    writeFileSync(path, `import { usdt, type i8, type i32, type i64, type u8, type u32, type u64, type UserPtr } from "tsbpf";\n\nexport const p = usdt("${program}:${probeName}",\n  (${params}) => {});\n`);
    await using probe = await open(path);
    try {
      probe.attach();
    } catch (e) {
      expect(e).toBeInstanceOf(TsbpfError);
      expect((e as TsbpfError).at?.file).toBe(path);
      expect((e as TsbpfError).at?.line).toBe(4);
      return e as TsbpfError;
    }
    throw new Error(`attached with (${params})`);
  };

  test("more parameters than the probe has arguments", async () => {
    const e = await attachError("v: i32, extra: u64", "tsbpf:indexed");
    expect(e.message).toMatch(/^usdt: parameter 'extra' would be argument 1 of tsbpf:indexed \(in .* at 0x[0-9a-f]+\), which passes 1 \(-4@\(%\w+,%\w+,4\)\)$/);
    expect(e.at?.column).toBe(12);
    expect(e.options.hint).toBe("leave it out: the handler takes at most 1 parameter");
  });

  test("a type too narrow, of the wrong sign, or a pointer for a 4-byte integer", async () => {
    let e = await attachError("big: i32");
    expect(e.message).toMatch(/^usdt: parameter 'big' is a i32, but argument 0 of tsbpf:kinds .* is a signed 8-byte integer \('-8@%\w+'\)$/);
    expect(e.options.hint).toBe("declare it i64");
    e = await attachError("big: i64, small: u32");
    expect(e.message).toMatch(/parameter 'small' is a u32, but argument 1 of tsbpf:kinds .* is a signed 4-byte integer/);
    expect(e.options.hint).toBe("declare it i32 (or a wider integer of that sign)");
    e = await attachError("big: i64, small: UserPtr<u8>");
    expect(e.message).toMatch(/parameter 'small' is a UserPtr<u8>, but argument 1 .* is a signed 4-byte integer/);
  });

  test("a wider integer that holds every value is taken", async () => {
    const path = join(dir, "wide.ts");
    writeFileSync(path, `import { usdt, type i64, type u32, type u64 } from "tsbpf";\nexport const p = usdt("${program}:tsbpf:kinds", (big: i64, small: i64, byte: u32, name: u64) => {});\n`);
    await using probe = await open(path);
    expect(probe.attach()).toHaveLength(1);
  });
});

describe("bad targets: each an error at the probe's target, saying what was searched or what the binary has", () => {
  const attachError = (target: string) => targetAttachError(join(dir, "bad.ts"), "usdt", target);

  test("a misspelt probe or provider: did you mean, from the binary's own probes", async () => {
    let e = await attachError(`${program}:tsbpf:indexd`);
    expect(e.message).toBe(`usdt: ${program} has no probe 'tsbpf:indexd'`);
    expect(e.options.hint).toMatch(/^did you mean 'tsbpf:indexed'\? its probes: `tsbpf list usdt:/);
    e = await attachError(`${program}:tsbfp:guarded`);
    expect(e.options.hint).toMatch(/^did you mean 'tsbpf:guarded'\?/);
    e = await attachError(`${program}:guardd`);
    expect(e.options.hint).toMatch(/^did you mean 'guarded'\?/);
  });

  test("a name two providers have, without the provider", async () => {
    const e = await attachError(`${program}:ping`);
    expect(e.message).toBe(`usdt: 'ping' is a probe of several providers in ${program} (tsbpf, tsbpf_other)`);
    expect(e.options.hint).toBe(`name its provider: "${program}:tsbpf:ping" or "${program}:tsbpf_other:ping"`);
  });

  test("a binary without USDT probes, and a file that is not ELF", async () => {
    expect((await attachError(`${plain}:tsbpf:kinds`)).message).toBe(`usdt: ${plain} has no USDT probes (no .note.stapsdt section)`);
    writeFileSync(join(dir, "script"), "#!/bin/sh\necho a script\n");
    const e = await attachError(`${dir}/script:tsbpf:kinds`);
    expect(e.message).toBe(`usdt: '${dir}/script' is not an ELF binary: it does not start with the ELF magic (\\x7fELF)`);
    expect(e.options.hint).toMatch(/a usdt names an executable or shared library/);
  });

  test("a library that is not installed names where it was looked for", async () => {
    const e = await attachError("libtsbpf-nothere:p:n");
    expect(e.message).toMatch(/^usdt: library 'libtsbpf-nothere' not found \(searched the dynamic linker's cache \(ldconfig -p\) and \/lib/);
    expect(e.options.hint).toBe('install it, or name the binary by absolute path ("/path/to/libtsbpf-nothere:p:n")');
  });

  test("a malformed note (its size past the section's end, a string without its NUL) is an error that says so", async () => {
    execFileSync("objcopy", ["--dump-section", `.note.stapsdt=${join(dir, "notes")}`, program, join(dir, "dumped")]);
    const notes = readFileSync(join(dir, "notes"));
    const cut = Buffer.from(notes);
    cut.writeUInt32LE(0x7fffffff, 4); // the first note's descsz
    const tooLong = join(dir, "too-long");
    copyFileSync(program, tooLong);
    writeFileSync(join(dir, "too-long.note"), cut);
    execFileSync("objcopy", ["--update-section", `.note.stapsdt=${join(dir, "too-long.note")}`, tooLong]);
    expect((await attachError(`${tooLong}:tsbpf:kinds`)).message).toMatch(/is not an ELF binary: the USDT note at byte 0 of \.note\.stapsdt says it holds 8 \+ 2147483647 bytes, past the section's end$/);

    const unterminated = Buffer.from(notes);
    const descsz = unterminated.readUInt32LE(4);
    unterminated.fill(0x41, 12 + 8 + 24, 12 + 8 + descsz); // provider, name and arguments without a NUL
    const noNul = join(dir, "no-nul");
    copyFileSync(program, noNul);
    writeFileSync(join(dir, "no-nul.note"), unterminated);
    execFileSync("objcopy", ["--update-section", `.note.stapsdt=${join(dir, "no-nul.note")}`, noNul]);
    expect((await attachError(`${noNul}:tsbpf:kinds`)).message).toMatch(/the USDT note at byte 0 of \.note\.stapsdt has no end to its provider \(no NUL before the note's end\)$/);
  });

  test("the CLI prints it at the line with the hint, and no stack; a pid that names no process", () => {
    const bad = probeFile("probes.ts", program, "misspelt-cli.ts");
    writeFileSync(bad, readFileSync(bad, "utf8").replace("tsbpf:indexed", "tsbpf:indexd"));
    const e = tsbpf(["run", bad, "--duration", "0"]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(new RegExp(`misspelt-cli\\.ts:\\d+:\\d+: error: usdt: ${program} has no probe 'tsbpf:indexd'`));
    expect(e.stderr).toMatch(/hint: did you mean 'tsbpf:indexed'\?/);
    expectNoStack(e.stderr);
    const r = tsbpf(["run", probeFile("probes.ts"), "--pid", "999999999", "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--pid: error: no process 999999999 is running\nhint: give the id of a running process/);
    expectNoStack(r.stderr);
  });
});

describe("tsbpf list usdt:", () => {
  test("a binary's probes with their arguments, a glob over them, and -v's sites", () => {
    const r = tsbpf(["list", `usdt:${program}:tsbpf:g*`, "-v"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usdt:${program}:tsbpf:guarded\\n    arg0: i32 in %edi \\(-4@%edi\\)\\n    site 0x[0-9a-f]+, semaphore 0x[0-9a-f]+: -4@%edi\\n$`));
    const python = tsbpf(["list", "usdt:/usr/bin/python3:function*"]);
    expect(python.stdout).toContain("usdt:/usr/bin/python3:python:function__entry\n    arg0: u64 in %rbp (8@%rbp)\n    arg1: u64 in %r12 (8@%r12)\n    arg2: i32 in %eax (-4@%eax)\n");
  });

  test("what it cannot list, it says why", () => {
    let r = tsbpf(["list", `usdt:${program}:tsbpf:indexd`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`has no USDT probe matching 'tsbpf:indexd'\nhint: did you mean 'tsbpf:indexed'?`);
    r = tsbpf(["list", `usdt:${plain}`]);
    expect(r.stderr).toContain(`${plain} has no USDT probes (no .note.stapsdt section)`);
    r = tsbpf(["list", "usdt:*"]);
    expect(r.stderr).toContain("'usdt:*' names no binary");
    expectNoStack(r.stderr);
  });
});

describe("compile errors", () => {
  const HEADER = 'import { usdt, type i32, type u64 } from "tsbpf";\n';
  let n = 0;
  test.each([
    ["no probe", 'export const u = usdt("python3", (a: u64) => {});', "TSB1150", /"python3" is not "binary:provider:name" \(or "binary:name"\)/],
    ["four parts", 'export const u = usdt("/usr/bin/python3:a:b:c", (a: u64) => {});', "TSB1150", /is not "binary:provider:name"/],
    ["a name that is no C identifier", 'export const u = usdt("python3:python:function-entry", (a: u64) => {});', "TSB1150", /"function-entry" in .* is not a USDT provider or probe name/],
    ["a relative path", 'export const u = usdt("bin/python3:python:line", (a: u64) => {});', "TSB1150", /the binary 'bin\/python3' is a relative path/],
    ["a target that is not a literal", 'export const u = usdt(true ? "a:b" : "c:d", (a: u64) => {});', "TSB1150", /needs the probe as a string literal/],
    ["an untyped parameter", 'export const u = usdt("python3:line", (a) => {});', "TSB1121", /parameter 'a' has no type: user code has no BTF/],
    ["a 13th argument", `export const u = usdt("python3:line", (${Array.from({ length: 13 }, (_, i) => `a${i}: u64`).join(", ")}) => {});`, "TSB1121", /usdt's handler takes at most 12 parameters: libbpf's USDT support reads at most 12 arguments/],
  ])("%s", (_what, body, code, message) => {
    const file = join(dir, `refused-${n++}.ts`);
    writeFileSync(file, HEADER + body + "\n", { flag: "wx" });
    const e = compileErrorOf(file);
    if (!e) throw new Error(`compiled: ${body}`);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.at?.line).toBe(2);
  });
});

describe("examples", () => {
  test("pyflow prints the call tree of a Python script, indented by depth", async () => {
    const script = join(dir, "calls.py");
    writeFileSync(script, ["def leaf(n):", "    return n + 1", "", "def middle(n):", "    return leaf(n) * 2", "", "def top():", "    return middle(1) + middle(2)", "", "top()", ""].join("\n"));
    const run = new Running(["run", repo("examples/pyflow.ts"), "--duration", "30"]);
    const closed = new Promise((resolve) => run.child.on("close", resolve));
    try {
      await run.waitFor("stderr", /Attached 3 programs/);
      const python = spawn("/usr/bin/python3", [script], { stdio: "ignore" });
      const pid = python.pid!;
      await new Promise((resolve) => python.on("exit", resolve));
      // The script's own frames, their lines by the thread (the process's only one here).
      await run.waitFor("stdout", new RegExp(`^${pid} +\\s*<- <module> \\(${script}:10\\)$`, "m"));
      run.child.kill("SIGINT");
      await closed;
      const lines = run.stdout.split("\n").filter((l) => l.startsWith(`${pid} `) && l.includes(`(${script}:`));
      const tree = lines.map((l) => l.slice(l.indexOf(" ") + 1));
      const common = Math.min(...tree.map((l) => l.length - l.trimStart().length));
      expect(tree.map((l) => l.slice(common).replace(` (${script}:`, " ("))).toEqual([
        "-> <module> (0)",
        "  -> top (7)",
        "    -> middle (4)",
        "      -> leaf (1)",
        "      <- leaf (2)",
        "    <- middle (5)",
        "    -> middle (4)",
        "      -> leaf (1)",
        "      <- leaf (2)",
        "    <- middle (5)",
        "  <- top (8)",
        "<- <module> (10)",
      ]);
    } finally {
      run.child.kill("SIGKILL");
    }
  });
});
