// Kernel stacks: kstack() records the stack where a program runs, user space shows its frames
// from /proc/kallsyms, and `tsbpf run` prints a map keyed by stacks as bpftrace prints @[kstack].
import { open } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { syncfsFromThisProcess, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, Running } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/stacks", name);
/** The frames a syncfs's stack passes through on every kernel: the system call's way in. */
const SYSCALL_ENTRY = /^ {8}do_syscall_64\+0x[0-9a-f]+$/m;

test("kstack() counts each distinct kernel stack, shown as its frames", async () => {
  await using probe = await open(fixture("syncfs-stacks.ts"), { params: { TARGET: process.pid } });
  probe.attach();
  syncfsFromThisProcess();
  syncfsFromThisProcess();
  const entries = [...probe.map("stacks").entries()] as [string, bigint][];
  // The same call from the same place: one stack, counted twice.
  expect(entries.length).toBe(1);
  const [[stack, count]] = entries;
  expect(count).toBe(2n);
  expect(stack).toMatch(SYSCALL_ENTRY);
  expect(stack.startsWith("\n")).toBe(true);
});

test("tsbpf run prints a map keyed by stacks as bpftrace does: @m[, a frame a line, ]: count", async () => {
  const sync = syncfsLater();
  const run = new Running(["run", fixture("syncfs-stacks.ts"), "--param", `TARGET=${sync.pid}`, "--duration", "2"]);
  await run.waitFor("stderr", /Attached 1 program/);
  await sync.go();
  expect(await run.exited).toBe(0);
  expect(run.stdout).toMatch(/^@stacks\[\n( {8}\S+\+0x[0-9a-f]+\n)+\]: 1$/m);
  expect(run.stdout).toMatch(SYSCALL_ENTRY);
  expectNoStack(run.stderr);
});

test("kstack() in a function is refused at the call: it needs the program's context", () => {
  const e = compileErrorOf(fixture("in-function.ts"))!;
  expect(e.format()).toContain("in-function.ts:4:20: error TSB1001: kstack() is called from a program's handler, not from a function");
});
