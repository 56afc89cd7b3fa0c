// Issue 12's corpus: programs the kernel's verifier rejects, or the compiler refuses before the
// kernel can, one per class of runtime/verifier/verifier-classes.ts and variants. Each case
// marks with `//!` the line the error must point to, and names the class it must be reported
// as. Kernel cases load real compiled probes into the real kernel; where valid TypeScript cannot
// produce the refusal (the compiler prevents it), the case edits the compiled IR the way a
// compiler bug would, which is what the verifier mapping is the net for.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../compiler/compile.js";
import { irToObject } from "../../compiler/llvm/codegen.js";
import { TsbpfError } from "../../contract/errors.js";
import { LoadedObject } from "../../runtime/loader.js";
import { VERIFIER_CLASSES } from "../../runtime/verifier/verifier-classes.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { expectNoStack, tsbpf } from "../helpers/tsbpf-command.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-verifier-corpus-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function probeFile(source: string): { file: string; line: number } {
  const file = join(dir, `case${n++}.ts`);
  writeFileSync(file, source, { flag: "wx" });
  const line = source.split("\n").findIndex((l) => l.includes("//!")) + 1;
  if (line === 0) throw new Error("the case marks no line with //!");
  return { file, line };
}

/** An IR edit, checked to have happened: a case whose edit no longer applies fails rather than passing on the unedited program. */
function edit(ir: string, from: RegExp, to: string): string {
  if (!from.test(ir)) throw new Error(`the IR has no ${from}:\n${ir}`);
  return ir.replace(from, to);
}

/** Compiles `source`, applies `mutate` to its IR, and loads it: the kernel's refusal. */
function kernelRefusal(file: string, mutate: (ir: string) => string = (ir) => ir): TsbpfError {
  const c = compile(file, { emitLLVM: true, cache: false });
  const object = irToObject(mutate(c.ir!)).object;
  try {
    LoadedObject.load({ file, object, programs: c.programs, maps: c.maps, params: c.params }).close();
  } catch (e) {
    if (e instanceof TsbpfError) return e;
    throw e;
  }
  throw new Error("the kernel loaded the program");
}

const HEADER = `import { tracepoint, xdp, printk, pid, HashMap, ArrayMap, RingBuf, type u8, type u32, type u64, type FixedArray } from "tsbpf";\n`;
const counted = HEADER + `export const counts = new HashMap<u32, u64>(64);\n`;

interface KernelCase {
  name: string;
  cls: string;
  source: string;
  mutate?: (ir: string) => string;
}

const KERNEL_CASES: KernelCase[] = [
  {
    name: "a loop whose data-dependent branches leave too many paths pending",
    cls: "TSB3002",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let x: u64 = pid();
  for (let i: u32 = 0; i < 100000; i++) {
    if ((x & 1) == 1) x = x * 3 + 1; else x = x / 2; //!
    if ((x & 4) == 4) x = x + 7;
  }
  printk("%d", x);
});\n`,
  },
  {
    name: "a loop of 400,000 iterations: past the verifier's million instructions",
    cls: "TSB3006",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let x: u64 = pid();
  for (let i: u32 = 0; i < 400000; i++) { //!
    x = x ^ (x << 3) ^ i;
  }
  printk("%d", x);
});\n`,
  },
  {
    name: "nested loops of 1,000 × 1,000 iterations",
    cls: "TSB3006",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let x: u64 = pid();
  for (let i: u32 = 0; i < 1000; i++) {
    for (let j: u32 = 0; j < 1000; j++) {
      x = x ^ (x << 3) ^ j; //!
    }
  }
  printk("%d", x);
});\n`,
  },
  {
    name: "a map value read before its null check",
    cls: "TSB3001",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  const n = counts.get(pid()); //!
  if (n !== undefined) printk("%d", n);
});\n`,
    // The lookup's result read before the branch on it: what dropping the check would give.
    mutate: (ir) => edit(ir, /(%(t\d+) = call ptr \(ptr, ptr\) inttoptr \(i64 1 to ptr\)\(ptr @counts, ptr %t\d+\)(, !dbg !\d+))/, "$1\n  %early = load volatile i64, ptr %$2$3"),
  },
  {
    name: "a map value moved by arithmetic before its null check",
    cls: "TSB3001",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  const n = counts.get(pid()); //!
  if (n !== undefined) printk("%d", n);
});\n`,
    mutate: (ir) => edit(ir, /(%(t\d+) = call ptr \(ptr, ptr\) inttoptr \(i64 1 to ptr\)\(ptr @counts, ptr %t\d+\)(, !dbg !\d+))/, "$1\n  %moved = getelementptr inbounds i8, ptr %$2, i64 4$3\n  %early = load volatile i32, ptr %moved$3"),
  },
  {
    name: "a loop whose counter never moves",
    cls: "TSB3002",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let s: u32 = 0;
  for (let i: u32 = 0; i < 10; i++) { //!
    s = s + pid();
  }
  printk("%d", s);
});\n`,
    mutate: (ir) => edit(ir, /(%t\d+ = add i32 %t\d+), 1, (!dbg !\d+)(?=\n\s*store i32 %t\d+, ptr %t\d+, !dbg !\d+\n\s*br label %loop\.cond)/, "$1, 0, $2"),
  },
  {
    name: "a tracepoint record read past its end",
    cls: "TSB3004",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_openat", (ctx) => {
  printk("%d", ctx.flags); //!
});\n`,
    mutate: (ir) => edit(ir, /ptr %ctx, i64 32\b/, "ptr %ctx, i64 16384"),
  },
  {
    name: "a ring-buffer record reserved and never submitted",
    cls: "TSB3008",
    source: HEADER + `interface Ev { pid: u32; n: u64 }
export const events = new RingBuf<Ev>(4096);
export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  events.emit({ pid: pid(), n: 1 }); //!
});\n`,
    mutate: (ir) => edit(ir, /\n\s*call void \(ptr, i64\) inttoptr \(i64 132 to ptr\)\(ptr %t\d+, i64 0\), !dbg !\d+/, ""),
  },
  {
    name: "a map lookup whose key register was never set",
    cls: "TSB3007",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  const n = counts.get(pid()); //!
  if (n !== undefined) printk("%d", n);
});\n`,
    // Root may read stack no one wrote (kernels ≥ 5.x let bpf_capable programs), but not a register.
    mutate: (ir) => edit(ir, /\(ptr @counts, ptr %t\d+\)/, "(ptr @counts, ptr undef)"),
  },
  {
    name: "arithmetic on the context pointer",
    cls: "TSB3009",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  counts.set(1, pid()); //!
});\n`,
    mutate: (ir) => edit(ir, /(\n\s*)(%t\d+) = call i64 \(\) inttoptr \(i64 14 to ptr\)\(\)(, !dbg !\d+)/, "$1%addr = ptrtoint ptr %ctx to i64$3$1%masked = and i64 %addr, -256$3$1$2 = add i64 %masked, 0$3"),
  },
  {
    name: "a number dereferenced as a kernel address",
    cls: "TSB3004",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  counts.set(1, pid()); //!
});\n`,
    mutate: (ir) => edit(ir, /(\n\s*)(%t\d+) = call i64 \(\) inttoptr \(i64 14 to ptr\)\(\)(, !dbg !\d+)/, "$1%pt = call i64 () inttoptr (i64 14 to ptr)()$3$1%ptr = inttoptr i64 %pt to ptr$3$1$2 = load volatile i64, ptr %ptr$3"),
  },
  {
    name: "a helper that an xdp program may not call",
    cls: "TSB3005",
    source: HEADER + `export const counts = new ArrayMap<u64>(4);
export const x = xdp(() => {
  counts.set(0, 1); //!
  return 2;
});\n`,
    // bpf_get_stackid (27) in front of the update: tracing programs may call it, xdp may not.
    mutate: (ir) => edit(ir, /(\n\s*)(%t\d+ = call i64 \(ptr, ptr, ptr, i64\) inttoptr \(i64 2 to ptr\)[^\n]*?(, !dbg !\d+))/, "$1%stack = call i64 () inttoptr (i64 27 to ptr)()$3$1$2"),
  },
  {
    name: "a helper newer than the running kernel",
    cls: "TSB3011",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  counts.set(1, pid()); //!
});\n`,
    mutate: (ir) => edit(ir, /inttoptr \(i64 14 to ptr\)/, "inttoptr (i64 250 to ptr)"),
  },
  {
    name: "a GPL-only helper in a program under another licence",
    cls: "TSB3010",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("syncfs called"); //!
});\n`,
    mutate: (ir) => edit(ir, /c"GPL\\00"/, 'c"MIT\\00"'),
  },
];

describe("the kernel's refusals, at the probe's line, with their class", () => {
  test.each(KERNEL_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { file, line } = probeFile(c.source);
    const e = kernelRefusal(file, c.mutate);
    const text = e.format();
    expect({ code: e.code, line: e.at?.line }).toEqual({ code: c.cls, line });
    expect(text).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:${line}:\\d+: error ${c.cls}: the kernel verifier rejected program '\\w+': `));
    const cls = VERIFIER_CLASSES.find((v) => v.code === c.cls)!;
    expect(text).toContain(`hint: ${cls.hint}`);
    expect(text).toMatch(/\nwhy: \S/);
    expect(text).toContain("verifier log (last lines; --verbose prints all of it):");
    expectNoStack(text);
  });
});

interface CompilerCase {
  name: string;
  /** The verifier class the compiler catches first. */
  cls: string;
  code: string;
  source: string;
}

const COMPILER_CASES: CompilerCase[] = [
  {
    name: "a map value used without a null check",
    cls: "TSB3001",
    code: "TS18048",
    source: counted + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  const n = counts.get(pid());
  counts.set(pid(), n + 1); //!
});\n`,
  },
  {
    name: "a loop whose end the compiler cannot see",
    cls: "TSB3002",
    code: "TSB2012",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let i: u32 = 1;
  while (i < pid()) { //!
    i = i * 2;
  }
});\n`,
  },
  {
    name: "recursion, which the verifier refuses as a loop it cannot follow",
    cls: "TSB3002",
    code: "TSB2006",
    source: HEADER + `function f(n: u32): u32 { return n === 0 ? 0 : f(n - 1); } //!
export const p = tracepoint("syscalls/sys_enter_syncfs", () => { printk("%d", f(pid())); });\n`,
  },
  {
    name: "a module function whose locals pass the stack tsbpf hands out",
    cls: "TSB3003",
    code: "TSB2015",
    source: HEADER + `function f(i: u32): u64 {
  const a: FixedArray<u64, 64> = []; //!
  a[i & 63] = 1;
  return a[0];
}
export const p = tracepoint("syscalls/sys_enter_syncfs", () => { printk("%d", f(pid())); });\n`,
  },
  {
    name: "a constant index past a FixedArray's end",
    cls: "TSB3004",
    code: "TSB2016",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  const xs: FixedArray<u32, 4> = [];
  xs[4] = pid(); //!
  printk("%d", xs[0]);
});\n`,
  },
  {
    name: "a context argument past those the kernel passes",
    cls: "TSB3004",
    code: "TSB1110",
    source: HEADER.replace("tracepoint,", "tracepoint, rawTracepoint,") + `export const r = rawTracepoint("sched_switch", (ctx) => {
  const a: u64 = ctx.arg(12); //!
  printk("%d", a);
});\n`,
  },
  {
    name: "a loop without a condition",
    cls: "TSB3002",
    code: "TSB2012",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  for (;;) { //!
    if (pid() > 0) break;
  }
});\n`,
  },
  {
    name: "a tracepoint string read with a size the compiler cannot see",
    cls: "TSB3004",
    code: "TSB1110",
    source: HEADER + `export const p = tracepoint("sched/sched_process_exec", (ctx) => {
  const s = ctx.str(ctx.filename, pid()); //!
});\n`,
  },
  {
    name: "a helper that means nothing in an xdp program",
    cls: "TSB3005",
    code: "TSB1109",
    source: HEADER + `export const x = xdp(() => {
  const p: u32 = pid(); //!
  return p > 0 ? 2 : 1;
});\n`,
  },
  {
    name: "a variable read before it is written",
    cls: "TSB3007",
    code: "TS2454",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  let x: u32;
  if (pid() > 100) x = 1;
  printk("%d", x); //!
});\n`,
  },
  {
    name: "a kernel pointer moved by arithmetic",
    cls: "TSB3009",
    code: "TS2365",
    source: HEADER.replace("tracepoint,", "tracepoint, tpBtf,") + `export const t = tpBtf("sched_switch", (ctx) => {
  const p = ctx.next + 8; //!
  printk("%d", p);
});\n`,
  },
  {
    name: "more printk arguments than the kernel's helper takes",
    cls: "TSB3011",
    code: "TSB1202",
    source: HEADER + `export const p = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("%d %d %d %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13); //!
});\n`,
  },
];

describe("what the compiler refuses before the kernel would", () => {
  test.each(COMPILER_CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { file, line } = probeFile(c.source);
    const e = compileErrorOf(file);
    expect(e).toBeInstanceOf(TsbpfError);
    expect({ code: e!.code, line: e!.at?.line }).toEqual({ code: c.code, line });
    expect(e!.format()).toMatch(/\nhint: \S/);
    expectNoStack(e!.format());
  });
});

test("the corpus covers every class of the verifier's refusals, with at least 25 programs", () => {
  const covered = new Set([...KERNEL_CASES.map((c) => c.cls), ...COMPILER_CASES.map((c) => c.cls)]);
  const uncovered = VERIFIER_CLASSES.map((c) => c.code).filter((code) => !covered.has(code));
  expect(uncovered).toEqual([]);
  expect(KERNEL_CASES.length + COMPILER_CASES.length).toBeGreaterThanOrEqual(25);
});

test("tsbpf run --verbose prints the whole log, each instruction beside the probe's line", () => {
  const { file, line } = probeFile(KERNEL_CASES[0].source);
  const r = tsbpf(["run", file, "--verbose", "--duration", "0"]);
  expect(r.code).toBe(1);
  const base = file.split("/").pop()!;
  expect(r.stderr).toContain(`${file}:${line}:5: error TSB3002: the kernel verifier rejected program 'p': The sequence of 8193 jumps is too complex.`);
  expect(r.stderr).toContain("verifier log, each instruction beside the probe's line:");
  expect(r.stderr).toMatch(new RegExp(`\\n${base.replace(".", "\\.")}:${line} +\\| ▸ if \\(\\(x & 1\\) == 1\\)`));
  expect(r.stderr).toMatch(new RegExp(`\\n${base.replace(".", "\\.")}:${line} +\\|   \\d+: \\([0-9a-f]{2}\\) `));
  expectNoStack(r.stderr);
});
