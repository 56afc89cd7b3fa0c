// uprobe and uretprobe on a small C program the test builds (a PIE): the arguments (an int, a
// string from user memory) and the return value that come back as events; `tsbpf run --pid`
// counting one of two processes; and every bad target, each an error at the probe's line.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "../../runtime/index.js";
import { targetAttachError } from "../helpers/attach-error.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { expectNoStack, repo, Running, runLimitedToPid, tsbpf } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/uprobes", name);
const dir = mkdtempSync(join(tmpdir(), "tsbpf-uprobe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// CI installs clang-14; gcc may be absent there.
const CC = ["/usr/bin/clang-14", "/usr/bin/cc", "/usr/bin/gcc"].find(existsSync);
const program = join(dir, "target");
const stripped = join(dir, "target-stripped");

beforeAll(() => {
  if (!CC) throw new Error("no C compiler (clang-14, cc) to build the probed program");
  execFileSync(CC, ["-O1", "-fPIE", "-pie", "-o", program, fixture("target.c")]);
  execFileSync(CC, ["-O1", "-fPIE", "-pie", "-s", "-o", stripped, fixture("target.c")]);
});

/** The fixture `name` with its TARGET_BINARY (or `target` entirely) replaced, written into the test's directory. */
function probeFile(name: string, binary = program, out = name): string {
  const path = join(dir, out);
  writeFileSync(path, readFileSync(fixture(name), "utf8").replaceAll("TARGET_BINARY", binary));
  return path;
}

/** The program, started and waiting for a line on stdin before it makes its `count` calls. */
function startProgram(count: number) {
  const child = spawn(program, [String(count)], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  // "close", not "exit": what it printed is read to the end.
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    pid: child.pid!,
    async go(): Promise<string> {
      child.stdin.end("go\n");
      expect(await exited).toBe(0);
      return out.trim();
    },
  };
}

describe("uprobe and uretprobe on a PIE executable", () => {
  test("the handler reads the int and the string the function was called with; the uretprobe its return value", async () => {
    await using probe = await open(probeFile("arguments.ts"));
    const calls = probe.events("calls");
    const returns = probe.events("returns");
    expect(probe.attach().map((l) => l.description)).toEqual([`uprobe:${program}:tsbpf_probed`, `uretprobe:${program}:tsbpf_probed`]);
    const child = startProgram(3);
    expect(await child.go()).toBe(String(81 + 83 + 85));
    const seen: Record<string, unknown>[] = [];
    const returned: Record<string, unknown>[] = [];
    calls.poll((batch) => seen.push(...(batch as Record<string, unknown>[])));
    returns.poll((batch) => returned.push(...(batch as Record<string, unknown>[])));
    const mine = (events: Record<string, unknown>[]) => events.filter((e) => e.pid === child.pid).map(({ pid, ...rest }) => rest);
    expect(mine(seen)).toEqual([0, 1, 2].map((i) => ({ n: 40 + i, s: `hello-${i}` })));
    expect(mine(returned)).toEqual([{ ret: 81 }, { ret: 83 }, { ret: 85 }]);
  });

  test("a library by short name, as the dynamic linker finds it, and a command on PATH, attach", async () => {
    const path = join(dir, "libraries.ts");
    writeFileSync(path, 'import { uprobe, uretprobe, type i32, type u64 } from "tsbpf";\nexport const a = uprobe("libc:getaddrinfo", (node: u64) => {});\nexport const b = uretprobe("bash:readline+0", (r: u64) => {});\n');
    await using probe = await open(path);
    const [a, b] = probe.attach().map((l) => l.description);
    expect(a).toMatch(/^uprobe:\/.*\/libc\.so\.6:getaddrinfo$/);
    expect(b).toMatch(/^uretprobe:\/.*\/bash:readline$/);
  });
});

describe("tsbpf run --pid", () => {
  test("with two processes of the program running, only the one named is counted", async () => {
    const counted = startProgram(5);
    const other = startProgram(7);
    const stdout = await runLimitedToPid(probeFile("count.ts"), counted, other);
    expect(stdout).toContain(`@calls[${counted.pid}]: 5`);
    expect(stdout).not.toContain(`[${other.pid}]`);
  });

  test("the run ends when the process exits, as bpftrace -p's does; a tracepoint beside it is said to fire everywhere", async () => {
    const sleeper = spawn("sleep", ["1"], { stdio: "ignore" });
    const run = new Running(["run", repo("examples/hello-syncfs.ts"), "--pid", String(sleeper.pid)]);
    const closed = new Promise<number | null>((resolve) => run.child.on("close", resolve));
    try {
      expect(await closed).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
    }
    expect(run.stderr).toContain(`tsbpf: warning: --pid limits uprobes and USDT probes to process ${sleeper.pid}; hello (tracepoint) fires in every process`);
    expect(run.stderr).toContain(`tsbpf: process ${sleeper.pid} exited`);
  });

  test("a pid that names no process is an error before anything attaches", () => {
    const r = tsbpf(["run", probeFile("count.ts"), "--pid", "999999999", "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--pid: error: no process 999999999 is running\nhint: give the id of a running process/);
    expectNoStack(r.stderr);
    expect(tsbpf(["run", probeFile("count.ts"), "--pid", "12ab"]).stderr).toMatch(/--pid takes a process id, not '12ab'/);
  });
});

describe("bad targets: each an error at the probe's target, saying what was searched or what the binary has", () => {
  const attachError = (target: string) => targetAttachError(join(dir, "bad.ts"), "uprobe", target);

  test("a misspelt function: did you mean, from the binary's own symbols", async () => {
    const e = await attachError(`${program}:tsbpf_probd`);
    expect(e.message).toBe(`uprobe: function 'tsbpf_probd' is not in ${program}`);
    expect(e.options.hint).toMatch(/^did you mean 'tsbpf_probed'\?/);
  });

  test("a stripped binary without the function says it is stripped", async () => {
    const e = await attachError(`${stripped}:tsbpf_probed`);
    expect(e.message).toBe(`uprobe: function 'tsbpf_probed' is not among the dynamic symbols of ${stripped}, which is stripped (no .symtab)`);
    expect(e.options.hint).toMatch(/names only the functions it exports \(nm -D /);
  });

  test("a library that is not installed names where it was looked for", async () => {
    const e = await attachError("libtsbpf-nothere:foo");
    expect(e.message).toMatch(/^uprobe: library 'libtsbpf-nothere' not found \(searched the dynamic linker's cache \(ldconfig -p\) and \/lib/);
  });

  test("a command not on PATH, and a path that does not exist", async () => {
    expect((await attachError("tsbpf-no-such-command:main")).message).toMatch(/^uprobe: command 'tsbpf-no-such-command' not found \(searched PATH \(/);
    expect((await attachError(`${dir}/nothing:main`)).message).toBe(`uprobe: file '${dir}/nothing' not found (searched that path)`);
  });

  test("a file that is not ELF, and a crafted ELF header whose sections lie outside the file", async () => {
    writeFileSync(join(dir, "script"), "#!/bin/sh\necho this is a script, not a binary\n");
    expect((await attachError(`${dir}/script:main`)).message).toBe(`uprobe: '${dir}/script' is not an ELF binary: it does not start with the ELF magic (\\x7fELF)`);
    const header = Buffer.alloc(64);
    header.write("\x7fELF", 0, "latin1");
    header[4] = 2; // 64-bit
    header[5] = 1; // little-endian
    header.writeBigUInt64LE(0xffffffffn, 0x28); // section headers far past the end
    header.writeUInt16LE(64, 0x3a);
    header.writeUInt16LE(3, 0x3c);
    writeFileSync(join(dir, "crafted"), header);
    expect((await attachError(`${dir}/crafted:main`)).message).toMatch(/is not an ELF binary: it is malformed: its section headers \(192 bytes at 4294967295\) would end past its last byte \(64\)/);
  });

  test("the CLI prints it at the line, with the hint, and no stack", () => {
    const bad = join(dir, "misspelt-cli.ts");
    writeFileSync(bad, readFileSync(fixture("count.ts"), "utf8").replace("TARGET_BINARY:tsbpf_probed", `${program}:tsbpf_probd`));
    const e = tsbpf(["run", bad, "--duration", "0"]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(new RegExp(`misspelt-cli\\.ts:6:30: error: uprobe: function 'tsbpf_probd' is not in ${program}`));
    expect(e.stderr).toMatch(/hint: did you mean 'tsbpf_probed'\?/);
    expectNoStack(e.stderr);
  });
});

describe("compile errors", () => {
  const HEADER = 'import { uprobe, uretprobe, type i32, type u64 } from "tsbpf";\n';
  let n = 0;
  test.each([
    ["no binary", 'export const u = uprobe("readline", (a: u64) => {});', "TSB1130", /"readline" is not "binary:function"/],
    ["a relative path", 'export const u = uprobe("bin/bash:readline", (a: u64) => {});', "TSB1130", /the binary 'bin\/bash' is a relative path/],
    ["an offset that is not a number", 'export const u = uprobe("bash:readline+x", (a: u64) => {});', "TSB1130", /the offset in "bash:readline\+x" is not a number/],
    ["a target that is not a literal", 'export const u = uprobe(true ? "bash:readline" : "sh:main", (a: u64) => {});', "TSB1130", /needs the function to probe as a string literal/],
    ["an untyped parameter", 'export const u = uprobe("bash:readline", (a) => {});', "TSB1121", /parameter 'a' has no type: user code has no BTF/],
    ["a seventh argument", 'export const u = uprobe("bash:readline", (a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64) => {});', "TSB1121", /uprobe's handler takes at most 6 parameters/],
    ["an untyped return value", 'export const u = uretprobe("bash:readline", (r) => {});', "TSB1121", /parameter 'r' has no type/],
  ])("%s", (_what, body, code, message) => {
    if (process.arch !== "x64" && body.includes("g: u64")) return console.log(`skipped: ${process.arch} passes more than 6 arguments in registers`);
    const file = join(dir, `refused-${n++}.ts`);
    writeFileSync(file, HEADER + body + "\n", { flag: "wx" });
    const e = compileErrorOf(file);
    if (!e) throw new Error(`compiled: ${body}`);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.at?.line).toBeGreaterThan(1);
  });
});

describe("examples", () => {
  test("bashreadline prints each line an interactive bash (driven through a pty) read", async () => {
    const marker = `tsbpf-readline-${process.pid}`;
    const run = new Running(["run", repo("examples/bashreadline.ts"), "--duration", "20"]);
    try {
      await run.waitFor("stderr", /Attached 1 program \(uretprobe:\/.*\/bash:readline\)/);
      const shell = spawn("script", ["-qc", "bash --norc -i", "/dev/null"], { stdio: ["pipe", "ignore", "ignore"] });
      shell.stdin.end(`echo ${marker}\nexit\n`);
      await new Promise((resolve) => shell.on("exit", resolve));
      const [, pid] = await run.waitFor("stdout", new RegExp(`^ +(\\d+) echo ${marker}$`, "m"));
      await run.waitFor("stdout", new RegExp(`^ +${pid} exit$`, "m"));
      expect(run.stdout.split("\n")[0]).toMatch(/^ +PID LINE$/);
    } finally {
      run.child.kill("SIGINT");
    }
    expect(await run.exited).toBe(0);
    expectNoStack(run.stderr);
  });

  test("gethostlatency times a lookup through libc's getaddrinfo, by process and host", async () => {
    const run = new Running(["run", repo("examples/gethostlatency.ts"), "--duration", "20"]);
    try {
      await run.waitFor("stderr", /Attached 2 programs \(uprobe:\/.*\/libc\.so\.6:getaddrinfo, uretprobe:/);
      const getent = spawn("getent", ["ahosts", "localhost"], { stdio: "ignore" });
      await new Promise((resolve) => getent.on("exit", resolve));
      await run.waitFor("stdout", new RegExp(`^ +${getent.pid} getent +\\d+ +\\d+ +0 localhost$`, "m"));
      expect(run.stdout.split("\n")[0]).toMatch(/^ +PID COMM +MS +US +RESULT HOST$/);
    } finally {
      run.child.kill("SIGINT");
    }
    expect(await run.exited).toBe(0);
  });
});
