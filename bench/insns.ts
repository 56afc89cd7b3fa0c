// BPF instructions per program: tsbpf against the same logic in C built by clang -O2 (same
// -mcpu). Prints a markdown table for bench/RESULTS.md.  Usage: npm run bench:insns  (clang-14)

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../compiler/compile.js";
import { packageRoot } from "../contract/paths.js";
import { functionSizes } from "./measure.js";

const CPU = "v3";
const dir = join(packageRoot, "bench", "insns");
const out = mkdtempSync(join(tmpdir(), "tsbpf-insns-"));

function clang(cFile: string): string {
  const o = join(out, cFile.replace(/\.c$/, ".o"));
  execFileSync("clang-14", ["-O2", "-g", "-target", "bpf", `-mcpu=${CPU}`, "-c", join(dir, cFile), "-o", o]);
  return o;
}

function tsbpf(tsFile: string): string {
  const o = join(out, tsFile.split("/").pop()!.replace(/\.ts$/, ".tsbpf.o"));
  writeFileSync(o, compile(tsFile, { cache: false, cpu: CPU }).object);
  return o;
}

const rows: { name: string; ts: number; c: number }[] = [];
const cases: [string, string][] = [
  [join(packageRoot, "examples", "hello-printk.ts"), "hello-printk.c"],
  [join(packageRoot, "examples", "pid-filter.ts"), "pid-filter.c"],
  [join(packageRoot, "examples", "pid-facts.ts"), "pid-facts.c"],
  [join(dir, "functions.ts"), "functions.c"],
];
for (const [tsFile, cFile] of cases) {
  const t = functionSizes(tsbpf(tsFile));
  const c = functionSizes(clang(cFile));
  const label = tsFile.startsWith(dir) ? "" : `${tsFile.split("/").pop()}: `;
  // Programs are matched by name; a subprogram that either side did not inline counts toward
  // the object's row "(subprograms)".
  const names = [...c.keys()].filter((n) => t.has(n));
  for (const n of names) rows.push({ name: `${label}${n}`, ts: t.get(n)!, c: c.get(n)! });
  const rest = (m: Map<string, number>) => [...m].filter(([n]) => !names.includes(n)).reduce((a, [, s]) => a + s, 0);
  if (rest(t) || rest(c)) rows.push({ name: `${label}(subprograms)`, ts: rest(t), c: rest(c) });
}
rmSync(out, { recursive: true });

const ratio = (r: { ts: number; c: number }) => (r.c === 0 ? (r.ts === 0 ? 1 : Infinity) : r.ts / r.c);
const geomean = Math.exp(rows.reduce((a, r) => a + Math.log(ratio(r)), 0) / rows.length);
const lines = [`cpu ${CPU}; clang ${execFileSync("clang-14", ["--version"], { encoding: "utf8" }).split("\n")[0]}`, "", "| program | tsbpf | clang -O2 | ratio |", "| --- | ---: | ---: | ---: |"];
for (const r of rows) lines.push(`| ${r.name} | ${r.ts} | ${r.c} | ${ratio(r).toFixed(2)} |`);
lines.push(`| **geometric mean** | | | **${geomean.toFixed(3)}** |`);
process.stdout.write(lines.join("\n") + "\n");
