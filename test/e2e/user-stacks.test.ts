// User stacks of processes that are gone by the time the map is read (D167): named from the
// mappings recorded while they lived, or honestly unknown (with a note, once), never named from
// another binary, not even one rebuilt at the same path; and C++ and Rust v0 frames demangled
// (D168, D178).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "../../runtime/index.js";
import { runtimeScript } from "../helpers/runtime-script.js";
import { repo } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/stacks", name);
const dir = mkdtempSync(join(tmpdir(), "tsbpf-user-stacks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// CI installs clang-14 and g++.
const CC = ["/usr/bin/clang-14", "/usr/bin/cc", "/usr/bin/gcc"].find(existsSync);
const CXX = ["/usr/bin/g++", "/usr/bin/clang++-14"].find(existsSync);

/** `fixture("exits.c")` built at `path` (frame pointers, so that the kernel can walk the stack); `-D` flags as given. */
function buildExits(path: string, ...defines: string[]): string {
  if (!CC) throw new Error("no C compiler (clang-14, cc) to build the stacked program");
  execFileSync(CC, ["-O1", "-fno-omit-frame-pointer", ...defines, "-o", path, fixture("exits.c")]);
  return path;
}

/** The probe counting the user stacks at `target` ("binary:function"), written into the test's directory. */
function probeAt(target: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, readFileSync(fixture("user-stack-at.ts"), "utf8").replace(`"TARGET"`, JSON.stringify(target)));
  return path;
}

/** Runs `binary` to its end, the event loop free meanwhile (the notices of its stacks are read). */
function runToEnd(binary: string, ...args: string[]): Promise<number> {
  const child = spawn(binary, args, { stdio: "ignore" });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolve(child.pid!));
  });
}

/** The map's stacks, each as its frames. */
const stacksOf = (entries: Iterable<[unknown, unknown]>): string[][] => [...entries].map(([stack]) => (stack as string).trim().split("\n").map((f) => f.trim()));

describe("a process that recorded a stack and exited before the map was read", () => {
  test("its frames are named from the mappings recorded while it lived", async () => {
    const binary = buildExits(join(dir, "exits"));
    await using probe = await open(probeAt(`${binary}:record`, "exits.ts"));
    probe.attach();
    const pid = await runToEnd(binary, "200");
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const stacks = stacksOf(probe.map("stacks").entries());
    expect(stacks).toHaveLength(1);
    const [frames] = stacks;
    // At the function's entry, before it has a frame of its own: its caller's caller is next.
    expect(frames[0]).toBe("record");
    expect(frames).toContainEqual(expect.stringMatching(/^main\+\d+$/));
  });

  test("attached to it with { pid }, its mappings are read at once: named though it exited before the stack was noticed", () => {
    const binary = buildExits(join(dir, "by-pid"));
    // The process waits for a byte; the script attaches to it, sends the byte, and holds its event
    // loop until the process has exited (a zombie: no mappings left to read).
    const script = [
      `const { open } = require(${JSON.stringify(repo("dist/runtime/index.js"))});`,
      `const fs = require("node:fs");`,
      `(async () => {`,
      `  const child = require("node:child_process").spawn(${JSON.stringify(binary)}, ["0", "wait"], { stdio: ["pipe", "ignore", "inherit"] });`,
      `  await new Promise((r) => setTimeout(r, 200));`,
      `  const probe = await open(${JSON.stringify(probeAt(`${binary}:record`, "by-pid.ts"))});`,
      `  probe.attach({ pid: child.pid });`,
      `  child.stdin.end("g");`,
      `  const until = Date.now() + 10000;`,
      `  while (Date.now() < until && fs.readFileSync("/proc/" + child.pid + "/stat", "latin1").split(") ")[1][0] !== "Z");`,
      `  for (const [s] of probe.map("stacks").entries()) console.log(JSON.stringify(s));`,
      `  probe.close();`,
      `})();`,
    ].join("\n");
    const r = spawnNode(script);
    const [stack] = r.stdout.split("\n").filter((l) => l.startsWith('"')).map((l) => JSON.parse(l) as string);
    expect(stack.trim().split("\n")[0].trim()).toBe("record");
    expect(r.stderr).toBe("");
  });

  test("rebuilt at the same path after it exited, the binary's new names are never used", async () => {
    const binary = buildExits(join(dir, "rebuilt"));
    buildExits(join(dir, "other"), "-DRECORD=renamed");
    await using probe = await open(probeAt(`${binary}:record`, "rebuilt.ts"));
    probe.attach();
    await runToEnd(binary, "200");
    // A new file at the path (a new inode, as a linker or package manager writes it): the file
    // the process mapped is the one still read.
    renameSync(join(dir, "other"), binary);
    const [frames] = stacksOf(probe.map("stacks").entries());
    expect(frames[0]).toBe("record");
    expect(frames.join("\n")).not.toContain("renamed");
    // Another process ran the new binary: its own names.
    await using again = await open(probeAt(`${binary}:renamed`, "renamed.ts"));
    again.attach();
    await runToEnd(binary, "200");
    const [renamed] = stacksOf(again.map("stacks").entries());
    expect(renamed[0]).toBe("renamed");
  });

  test("overwritten in place after it exited, the binary's frames are addresses (its build-id changed), not the new names", () => {
    const binary = buildExits(join(dir, "overwritten"));
    const other = buildExits(join(dir, "overwriting"), "-DRECORD=renamed");
    // The process records its stack and exits; the file is then copied over in place (the same
    // inode, as `cp` writes) before the stacks are shown.
    const script = runtimeScript(
      probeAt(`${binary}:record`, "overwritten.ts"),
      `const child = require("node:child_process").spawn(${JSON.stringify(binary)}, ["200"]); child.on("exit", () => { const fs = require("node:fs"); const inode = fs.statSync(${JSON.stringify(binary)}).ino; fs.copyFileSync(${JSON.stringify(other)}, ${JSON.stringify(binary)}); if (fs.statSync(${JSON.stringify(binary)}).ino !== inode) throw new Error("not copied in place"); for (const [s] of probe.map("stacks").entries()) console.log(JSON.stringify(s)); probe.close(); });`,
    );
    const r = spawnNode(script);
    const [stack] = r.stdout.split("\n").filter((l) => l.startsWith('"')).map((l) => JSON.parse(l) as string);
    const frames = stack.trim().split("\n").map((f) => f.trim());
    expect(frames.join("\n")).not.toContain("renamed");
    expect(frames[0]).toMatch(new RegExp(`^0x[0-9a-f]+ \\(${binary}\\)$`));
    expect(r.stderr).toContain(`tsbpf: the frames in ${binary} are shown as addresses: it was rewritten since the process mapped it (its build-id differs)`);
  });

  test("one that exited before its stack was even noticed: its frames are addresses, and it is said once", () => {
    const binary = buildExits(join(dir, "quick"));
    // spawnSync holds the script's event loop until the process has exited: the notice of its
    // stack is read only when the stacks are shown, too late to read its mappings.
    const script = runtimeScript(
      probeAt(`${binary}:record`, "quick.ts"),
      `const child = require("node:child_process").spawnSync(${JSON.stringify(binary)}, ["0"]); console.log("pid " + child.pid); for (let i = 0; i < 2; i++) for (const [s] of probe.map("stacks").entries()) console.log(JSON.stringify(s)); probe.close();`,
    );
    const r = spawnNode(script);
    const pid = /^pid (\d+)$/m.exec(r.stdout)![1];
    const stacks = r.stdout.split("\n").filter((l) => l.startsWith('"')).map((l) => JSON.parse(l) as string);
    expect(stacks).toHaveLength(2);
    for (const frame of stacks[0].trim().split("\n")) expect(frame.trim()).toMatch(/^0x[0-9a-f]+ \(\[unknown\]\)$/);
    const note = `tsbpf: process ${pid} exited before its stacks were read, and its mappings were not recorded: its frames are shown as addresses\n`;
    expect(r.stderr.split(note)).toHaveLength(2); // once, though shown twice
  });
});

test("C++ frames are demangled: ns::Klass::method(int)", async () => {
  if (!CXX) throw new Error("no C++ compiler (g++) to build the stacked program");
  const binary = join(dir, "klass");
  execFileSync(CXX, ["-O1", "-fno-omit-frame-pointer", "-o", binary, fixture("klass.cc")]);
  await using probe = await open(probeAt(`${binary}:_ZN2ns5Klass6methodEi`, "klass.ts"));
  probe.attach();
  await runToEnd(binary);
  const [frames] = stacksOf(probe.map("stacks").entries());
  expect(frames[0]).toBe("ns::Klass::method(int)");
  expect(frames).toContainEqual(expect.stringMatching(/^main\+\d+$/));
});

test("every distinct stack keeps its own id: 200 stacks, each counted once, none lost or merged (bpf_get_stackid's 4096 buckets lose some to collisions)", async () => {
  if (!CC) throw new Error("no C compiler (clang-14, cc) to build the stacked program");
  const binary = join(dir, "many-stacks");
  execFileSync(CC, ["-O0", "-fno-omit-frame-pointer", "-o", binary, fixture("many-stacks.c")]);
  await using probe = await open(probeAt(`${binary}:leaf`, "many-stacks.ts"));
  probe.attach();
  const depths = 100;
  await runToEnd(binary, String(depths), "300");
  const entries = [...probe.map("stacks").entries()];
  const seen = new Set<string>();
  for (const [stack, count] of entries) {
    expect(count).toBe(1n);
    const frames = (stack as string).trim().split("\n").map((f) => f.trim());
    expect(frames[0]).toBe("leaf");
    const path = frames.slice(1).filter((f) => /^down_[ab]\+/.test(f));
    const through = path[0].slice(0, "down_a".length);
    expect(path.every((f) => f.startsWith(through))).toBe(true);
    expect(frames[1 + path.length]).toMatch(/^main\+\d+$/);
    seen.add(`${through} ${path.length - 1}`);
  }
  expect(entries).toHaveLength(2 * depths);
  expect(seen.size).toBe(2 * depths);
});

test("Rust v0 frames are demangled as c++filt reads them: <mycrate[3c1c0]::shape::Circle>::area", async () => {
  if (!CC) throw new Error("no C compiler (clang-14, cc) to build the stacked program");
  const symbol = "_RNvMNtCs1234_7mycrate5shapeNtB2_6Circle4area";
  const binary = join(dir, "rust-v0");
  execFileSync(CC, ["-O1", "-fno-omit-frame-pointer", "-o", binary, fixture("rust-v0.c")]);
  await using probe = await open(probeAt(`${binary}:${symbol}`, "rust-v0.ts"));
  probe.attach();
  await runToEnd(binary);
  const [frames] = stacksOf(probe.map("stacks").entries());
  expect(frames[0]).toBe("<mycrate[3c1c0]::shape::Circle>::area");
  expect(frames).toContainEqual(expect.stringMatching(/^main\+\d+$/));
});

test("a kernel thread's user stack (it has none) is said in words, as the error the probe met", async () => {
  await using probe = await open(fixture("switch-ustacks.ts"));
  probe.attach();
  await new Promise((resolve) => setTimeout(resolve, 300)); // CPUs go idle, kworkers run
  const notes = [...probe.map("stacks").entries()].map(([stack]) => stack as string).filter((s) => s.includes("[no stack recorded"));
  // One key per kernel thread that ran (a UserStack holds the process id too).
  expect(notes.length).toBeGreaterThan(0);
  expect(new Set(notes)).toEqual(new Set(["\n    [no stack recorded: a kernel thread, which has no user stack]\n"]));
});

function spawnNode(script: string): { stdout: string; stderr: string } {
  const r = require("node:child_process").spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
  if (r.status !== 0) throw new Error(`the script failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}
