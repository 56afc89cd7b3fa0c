// `tsbpf build -o`: a path it cannot write is a clear error naming it; the probe's own source is
// never overwritten; a regular file is replaced whole (temporary file, then rename) or left as it
// was; devices and fifos are written as they are, never replaced.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";

const HELLO = repo("examples/hello-syncfs.ts");
const dirs: string[] = [];
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync("umount", [m]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "tsbpf-output-"));
  dirs.push(d);
  return d;
}

const isElf = (b: Buffer) => b.subarray(0, 4).toString("latin1") === "\x7fELF";

/** A build that fails as a user mistake: exit 1, one error naming `subject`, a hint, no stack. */
function expectRefused(out: string, subject: string, message: string, hint: string): void {
  const r = tsbpf(["build", HELLO, "-o", out]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${subject}: error: ${message}`);
  expect(r.stderr).toContain(`hint: ${hint}`);
  expectNoStack(r.stderr);
}

describe("tsbpf build -o", () => {
  test("a path that cannot be written is an error naming it and what to do", () => {
    const dir = tempDir();
    expectRefused(join(dir, "missing", "x.bpf.o"), join(dir, "missing", "x.bpf.o"), `cannot write the output: the directory ${join(dir, "missing")} does not exist (ENOENT)`, "create it first");
    expectRefused(dir, dir, "cannot write the output: it is a directory", `name a file in it, e.g. -o ${join(dir, "probe.bpf.o")}`);
    expectRefused("/dev/full", "/dev/full", "cannot write the output: no space left on the device (ENOSPC)", "free some space");
    expectRefused("", "-o ''", "the output file name is empty", "name a file");
    expect(readdirSync(dir)).toEqual([]);
  });

  test("the probe's source is never the output, however it is named", () => {
    const dir = tempDir();
    const probe = join(dir, "probe.ts");
    copyFileSync(HELLO, probe);
    symlinkSync(probe, join(dir, "link.bpf.o"));
    const text = readFileSync(probe, "utf8");
    for (const out of [probe, join(dir, ".", "..", dir.split("/").pop()!, "probe.ts"), join(dir, "link.bpf.o")]) {
      const r = tsbpf(["build", probe, "-o", out]);
      expect([out, r.code]).toEqual([out, 1]);
      expect(r.stderr).toContain(`${out}: error: the output would overwrite the probe's source`);
      expectNoStack(r.stderr);
    }
    expect(readFileSync(probe, "utf8")).toBe(text);
  });

  test("an existing object is replaced by a new file, not rewritten in place, and no temporary file is left", () => {
    const dir = tempDir();
    const out = join(dir, "hello.bpf.o");
    writeFileSync(out, "OLD");
    writeFileSync(join(dir, "hello.bpf.ll"), "OLD");
    // A second name for the old files: rewriting them in place would change these too.
    linkSync(out, join(dir, "old-object"));
    linkSync(join(dir, "hello.bpf.ll"), join(dir, "old-ir"));
    const r = tsbpf(["build", HELLO, "-o", out, "--emit-llvm"]);
    expect(r.code).toBe(0);
    expect(isElf(readFileSync(out))).toBe(true);
    expect(readFileSync(join(dir, "hello.bpf.ll"), "utf8")).toContain("sys_enter_syncfs");
    expect(readFileSync(join(dir, "old-object"), "utf8")).toBe("OLD");
    expect(readFileSync(join(dir, "old-ir"), "utf8")).toBe("OLD");
    expect(readdirSync(dir).sort()).toEqual(["hello.bpf.ll", "hello.bpf.o", "old-ir", "old-object"]);
  });

  test("a write that fails midway (a full file system) leaves the old object as it was", () => {
    const dir = tempDir();
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", dir]);
    mounts.push(dir);
    const out = join(dir, "hello.bpf.o");
    writeFileSync(out, "OLD");
    // Fill what is left: the new object no longer fits.
    writeFileSync(join(dir, "filler"), Buffer.alloc(12 * 1024));
    const r = tsbpf(["build", HELLO, "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${out}: error: cannot write the output: no space left on the device (ENOSPC)`);
    expectNoStack(r.stderr);
    expect(readFileSync(out, "utf8")).toBe("OLD");
    expect(readdirSync(dir).sort()).toEqual(["filler", "hello.bpf.o"]);
  });

  test("--emit-llvm with -o /dev/null puts the IR beside the probe, never /dev/null.ll", () => {
    const dir = tempDir();
    const probe = join(dir, "hello.ts");
    copyFileSync(HELLO, probe);
    const r = tsbpf(["build", probe, "-o", "/dev/null", "--emit-llvm"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`tsbpf: wrote ${join(dir, "hello.ll")}`);
    expect(readFileSync(join(dir, "hello.ll"), "utf8")).toContain('section "tracepoint/syscalls/sys_enter_syncfs"');
    expect(() => lstatSync("/dev/null.ll")).toThrow();
  });

  test("/dev/null stays a device, /dev/stdout and a fifo get the object", async () => {
    expect(tsbpf(["build", HELLO, "-o", "/dev/null"]).code).toBe(0);
    expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);

    const stdout = tsbpf(["build", HELLO, "-o", "/dev/stdout"]);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout.startsWith("\x7fELF")).toBe(true);

    const dir = tempDir();
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", fifo, join(dir, "received")]);
    const done = new Promise((resolve) => reader.on("exit", resolve));
    expect(tsbpf(["build", HELLO, "-o", fifo]).code).toBe(0);
    expect(await done).toBe(0);
    expect(isElf(readFileSync(join(dir, "received")))).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});
