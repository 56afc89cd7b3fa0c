// Compile time against file length (issue 3): `tsbpf build` of generated probe files of 1,000
// and 2,000 lines, whole process, median of 5. bpftrace's compile time grows quadratically
// with script length; tsbpf's should not.  Usage: npm run bench:scaling

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { median } from "./measure.js";

/**
 * A probe file of about `lines` lines, in the proportions of a tracing script: programs that
 * filter and report (conditions, a switch, printk), helper functions of arithmetic and branches,
 * and a counted loop in every fourth helper.
 */
export function typicalProbe(lines: number): string {
  const out = ['import { tracepoint, printk, pid, tid, uid, ktime, cpu, param, u8, u32, u64, i64 } from "tsbpf";', "", 'const TARGET = param<u32>("TARGET", 0);', ""];
  const events = ["sys_enter_openat", "sys_enter_read", "sys_enter_write", "sys_enter_close", "sys_enter_syncfs", "sys_enter_getpid"];
  for (let u = 0; out.length < lines; u++) {
    out.push(
      `function score${u}(p: u32, t: u64): u64 {`,
      `  let s: u64 = (u64(p) * ${u + 31}) ^ (t >> ${u % 13});`,
      `  if (s % ${(u % 7) + 2} === 0) s += ${u};`,
      `  else s -= s >> ${(u % 5) + 1};`,
    );
    if (u % 4 === 0) out.push(`  for (let i: u32 = 0; i < 4; i++) s += (s >> i) & ${u + 1};`);
    out.push(
      `  return s;`,
      `}`,
      "",
      `export const trace${u} = tracepoint("syscalls/${events[u % events.length]}", () => {`,
      `  const p = pid();`,
      `  if (TARGET !== 0 && p !== TARGET) return;`,
      `  const s = score${u}(p, ktime());`,
      `  switch (u32(s % 4)) {`,
      `    case 0: printk("${u} low pid %u tid %u", p, tid()); break;`,
      `    case 1: printk("${u} mid uid %u cpu %u", uid(), cpu()); break;`,
      `    default: printk("${u} high %llu", s);`,
      `  }`,
      `});`,
      "",
    );
  }
  return out.join("\n") + "\n";
}

/** A loop-heavy file: every function's loop is fully unrolled by LLVM, as clang would. */
export function loopHeavyProbe(lines: number): string {
  const out = ['import { tracepoint, printk, pid, ktime, u32, u64, i64 } from "tsbpf";', ""];
  let f = 0;
  while (out.length < lines - 12) {
    out.push(
      `function f${f}(a: u32, b: u64): u64 {`,
      `  let acc: u64 = b ^ ${f * 7919};`,
      `  for (let i: u32 = 0; i < 8; i++) {`,
      `    if ((a >> i) & 1) acc += u64(i) * ${f + 3};`,
      `    else acc ^= acc << 3;`,
      `  }`,
      `  const s: i64 = i64(acc % 1000) - ${f};`,
      `  return s < 0 ? u64(-s) : acc / ${(f % 9) + 1};`,
      `}`,
      "",
    );
    f++;
  }
  for (let p = 0; p * 8 < f; p++) {
    const calls = Array.from({ length: Math.min(8, f - p * 8) }, (_, k) => `f${p * 8 + k}(pid(), ktime())`);
    out.push(`export const p${p} = tracepoint("syscalls/sys_enter_getpid", () => {`, `  printk("%llu", ${calls.join(" + ")});`, `});`);
  }
  return out.join("\n") + "\n";
}

/**
 * The loop-heavy file's functions and programs in C, for clang -O2 in the same run: the cost of
 * the same optimisation work with LLVM's own front end (bench/insns/common.h for the helpers).
 */
export function loopHeavyC(functions: number): string {
  const out = ['#include "common.h"', ""];
  for (let f = 0; f < functions; f++) {
    out.push(
      `static __u64 f${f}(__u32 a, __u64 b) {`,
      `  __u64 acc = b ^ ${f * 7919}ULL;`,
      `  for (__u32 i = 0; i < 8; i++) {`,
      `    if ((a >> i) & 1) acc += (__u64)i * ${f + 3};`,
      `    else acc ^= acc << 3;`,
      `  }`,
      `  __s64 s = (__s64)(acc % 1000) - ${f};`,
      `  return s < 0 ? (__u64)(-s) : acc / ${(f % 9) + 1};`,
      `}`,
    );
  }
  const pid = "(__u32)(bpf_get_current_pid_tgid() >> 32)";
  for (let p = 0; p * 8 < functions; p++) {
    const calls = Array.from({ length: Math.min(8, functions - p * 8) }, (_, k) => `f${p * 8 + k}(${pid}, bpf_ktime_get_ns())`);
    out.push(
      `SEC("tracepoint/syscalls/sys_enter_getpid") int p${p}(void *ctx) {`,
      `  static const char fmt[] = "%llu";`,
      `  bpf_trace_printk(fmt, sizeof(fmt), ${calls.join(" + ")});`,
      `  return 0;`,
      `}`,
    );
  }
  return out.join("\n") + "\n";
}


function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-scaling-"));
  const tsbpf = join(packageRoot, "bin", "tsbpf");
  const results: { kind: string; lines: number; ms: number; clangMs?: number; phases: string }[] = [];
  const run = (cmd: string, args: string[]): { ms: number; stderr: string } => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
    return { ms, stderr: r.stderr };
  };
  for (const [kind, make] of [["typical", typicalProbe], ["loop-heavy", loopHeavyProbe]] as const)
  for (const lines of [250, 500, 1000, 2000]) {
    const file = join(dir, `probe-${kind}-${lines}.ts`);
    const text = make(lines);
    writeFileSync(file, text);
    const times: number[] = [];
    let phases = "";
    for (let i = 0; i < 5; i++) {
      const r = run(tsbpf, ["build", file, "-o", join(dir, "out.o"), "--timings"]);
      times.push(r.ms);
      phases = /timings: (.*) \(total/.exec(r.stderr)?.[1] ?? "";
    }
    // The loop-heavy file's work is LLVM's: clang -O2 on the same logic, in the same run.
    let clangMs: number | undefined;
    if (kind === "loop-heavy") {
      const c = join(dir, `probe-${lines}.c`);
      writeFileSync(c, loopHeavyC((text.match(/^function f\d+/gm) ?? []).length));
      const args = ["-O2", "-g", "-target", "bpf", "-mcpu=v3", "-I", join(packageRoot, "bench", "insns"), "-c", c, "-o", join(dir, "c.o")];
      clangMs = median(Array.from({ length: 5 }, () => run("clang-14", args).ms));
    }
    results.push({ kind, lines: text.split("\n").length - 1, ms: median(times), clangMs, phases });
  }
  rmSync(dir, { recursive: true });
  const lines = [
    "| file | lines | `tsbpf build` wall (median of 5) | × its 1,000-line file | clang -O2, same logic in C | phases (last run) |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of results) {
    const base = results.find((x) => x.kind === r.kind && x.lines >= 1000 && x.lines < 2000)!;
    const clang = r.clangMs === undefined ? "–" : `${r.clangMs.toFixed(0)} ms`;
    lines.push(`| ${r.kind} | ${r.lines} | ${r.ms.toFixed(0)} ms | ${(r.ms / base.ms).toFixed(2)} | ${clang} | ${r.phases} |`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

if (require.main === module) main();
