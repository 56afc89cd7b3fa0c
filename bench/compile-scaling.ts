// Compile time against file length (issue 3): `tsbpf build` of generated probe files of 1,000
// and 2,000 lines, whole process, median of 5. bpftrace's compile time grows quadratically
// with script length; tsbpf's should not.  Usage: npm run bench:scaling

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../compiler/paths.js";

/** A probe file of about `lines` lines: functions of arithmetic, branches and loops, and programs calling them. */
export function probeOfLines(lines: number): string {
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
  // Programs: each calls a handful of the functions (all of them, across the programs).
  for (let p = 0; p * 8 < f; p++) {
    const calls = Array.from({ length: Math.min(8, f - p * 8) }, (_, k) => `f${p * 8 + k}(pid(), ktime())`);
    out.push(`export const p${p} = tracepoint("syscalls/sys_enter_getpid", () => {`, `  printk("%llu", ${calls.join(" + ")});`, `});`);
  }
  return out.join("\n") + "\n";
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-scaling-"));
  const tsbpf = join(packageRoot, "bin", "tsbpf");
  const results: { lines: number; ms: number; phases: string }[] = [];
  for (const lines of [250, 500, 1000, 2000]) {
    const file = join(dir, `probe-${lines}.ts`);
    const text = probeOfLines(lines);
    writeFileSync(file, text);
    const times: number[] = [];
    let phases = "";
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(tsbpf, ["build", file, "-o", join(dir, "out.o"), "--timings"], { encoding: "utf8" });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 0) throw new Error(r.stderr);
      phases = /timings: (.*) \(total/.exec(r.stderr)?.[1] ?? "";
    }
    results.push({ lines: text.split("\n").length - 1, ms: median(times), phases });
  }
  rmSync(dir, { recursive: true });
  const base = results.find((r) => r.lines >= 1000 && r.lines < 2000)!;
  const lines = ["| lines | `tsbpf build` wall (median of 5) | × the 1,000-line file | phases (last run) |", "| ---: | ---: | ---: | --- |"];
  for (const r of results) lines.push(`| ${r.lines} | ${r.ms.toFixed(0)} ms | ${(r.ms / base.ms).toFixed(2)} | ${r.phases} |`);
  process.stdout.write(lines.join("\n") + "\n");
}

if (require.main === module) main();
