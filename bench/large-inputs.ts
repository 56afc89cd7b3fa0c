// Large inputs stay fast (issue 7): `tsbpf build` through the launcher (bin/tsbpf, with the CLI's
// V8 tuning) against plain `node` running the very same build, on a typical 1,000-line file, on
// 5 MB of code and on a file of 10,000 programs. Runs alternate between the two so that the
// machine's drift hits both alike.  Usage: npm run bench:large [-- runs-for-large-files]

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { typicalProbe } from "./compile-scaling.js";
import { median } from "./measure.js";

/** A file of `n` small programs, each filtering on a pid and printing a line. */
export function manyPrograms(n: number): string {
  const out = ['import { tracepoint, printk, pid } from "tsbpf";'];
  for (let i = 0; i < n; i++) out.push(`export const p${i} = tracepoint("syscalls/sys_enter_getpid", () => { if (pid() === ${i}) printk("hit ${i}"); });`);
  return out.join("\n") + "\n";
}

const launcher = join(packageRoot, "bin", "tsbpf");
// Plain node runs the same build without the CLI's V8 tuning (the CLI asks for it in its
// compile options, D80): the compile entry, called as `tsbpf build` calls it.
const compileEntry = join(packageRoot, "dist", "compiler", "compile.js");
const plainBuild = `const [, file, , out] = process.argv.slice(1); const c = require(${JSON.stringify(compileEntry)});
c.compileAsync(file, { cache: false }).then((r) => { c.writeOutput(out, r.object, r.file); process.exit(0); });`;

function timeBuild(argv: string[], out: string): { ms: number; cpuMs: number } {
  const t0 = process.hrtime.bigint();
  // The same thread pool as the launcher's, so that only the V8 flags differ.
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", ...argv, "-o", out], { encoding: "utf8", env: { ...process.env, UV_THREADPOOL_SIZE: "16" } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { ms, cpuMs: (user + sys) * 1000 };
}

function main(): void {
  const largeRuns = Number(process.argv[2] ?? 3);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-large-"));
  try {
    const inputs: [string, string, number][] = [
      ["typical, 1,000 lines", typicalProbe(1000), 7],
      ["typical, 5 MB", typicalProbe(172_000), largeRuns],
      ["10,000 programs", manyPrograms(10_000), largeRuns],
    ];
    const rows = ["| input | size | `bin/tsbpf build` wall (CPU) | plain `node` wall (CPU) | ratio (wall) | runs |", "| --- | ---: | ---: | ---: | ---: | ---: |"];
    for (const [name, text, runs] of inputs) {
      const file = join(dir, `${name.replace(/\W+/g, "-")}.ts`);
      writeFileSync(file, text);
      const out = join(dir, "out.bpf.o");
      const tsbpf: { ms: number; cpuMs: number }[] = [];
      const plain: { ms: number; cpuMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        tsbpf.push(timeBuild([launcher, "build", file], out));
        plain.push(timeBuild(["node", "-e", plainBuild, "build", file], out));
      }
      const m = (xs: { ms: number; cpuMs: number }[], k: "ms" | "cpuMs") => median(xs.map((x) => x[k]));
      const fmt = (xs: { ms: number; cpuMs: number }[]) => `${(m(xs, "ms") / 1000).toFixed(2)} s (${(m(xs, "cpuMs") / 1000).toFixed(2)} s)`;
      rows.push(`| ${name} | ${(statSync(file).size / 1e6).toFixed(2)} MB | ${fmt(tsbpf)} | ${fmt(plain)} | ${(m(tsbpf, "ms") / m(plain, "ms")).toFixed(2)} | ${runs} |`);
      process.stderr.write(rows[rows.length - 1] + "\n");
    }
    process.stdout.write(rows.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
