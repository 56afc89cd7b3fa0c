// Issue 11: what a uprobe costs the probed program per call. A C program calls a small function
// 200,000 times; it runs bare, under `tsbpf run` with a uprobe counting the calls (a Count),
// under bpftrace doing the same (`uprobe:…:probed { @ = count(); }`), and under a C libbpf
// loader of a C BPF program doing the same (bench/c/uprobe-count.c, .bpf.c: a per-CPU counter),
// round-robin in one run. The cost per call is (time probed − time bare) / calls: the kernel's
// uprobe trap dominates it, and the program the probe runs adds its part. Prints a markdown
// table for bench/RESULTS.md. Usage: npm run bench:uprobe [-- --runs N] (root; clang-14 and
// gcc or cc, libbpf-dev, linux-libc-dev, bpftrace; under the lock).

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, median } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 5;
/** A uprobe trap costs microseconds (15 µs on this VM): enough calls to measure, few enough to wait for. */
const CALLS = 200_000;
const tsbpf = join(packageRoot, "bin", "tsbpf");

const PROGRAM = `#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) int probed(int x) { __asm__ volatile(""); return x + 1; }
int main(int argc, char **argv) { long n = atol(argv[1]); int s = 0; for (long i = 0; i < n; i++) s = probed(s); printf("%d\\n", s); return 0; }
`;

/** Wall time of one run of the program, in ms. */
function timeProgram(binary: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(binary, [String(CALLS)], { encoding: "utf8" });
  if (r.status !== 0 || r.stdout.trim() !== String(CALLS)) throw new Error(`the program failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The program's time while `cmd` (a tracer) is attached: started, waited for `ready` on its output, stopped after. */
async function timeUnder(cmd: string[], ready: RegExp, binary: string): Promise<number> {
  const tracer = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let seen = "";
  await new Promise<void>((resolve, reject) => {
    const look = (d: Buffer) => {
      seen += d;
      if (ready.test(seen)) resolve();
    };
    tracer.stdout.on("data", look);
    tracer.stderr.on("data", look);
    tracer.on("exit", () => reject(new Error(`${cmd.join(" ")} exited before attaching: ${seen}`)));
  });
  try {
    return timeProgram(binary);
  } finally {
    tracer.kill("SIGINT");
    await new Promise((r) => tracer.on("exit", r));
  }
}

/** The C loader and its BPF object, built in `dir`: [loader, object]. */
function buildCLoader(dir: string): [string, string] {
  if (!existsSync("/usr/bin/clang-14")) throw new Error("bench: clang-14 is not installed (it builds the C BPF program)");
  const cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang-14"].find(existsSync)!;
  const c = (name: string) => join(packageRoot, "bench", "c", name);
  const object = join(dir, "uprobe-count.bpf.o");
  const loader = join(dir, "uprobe-count");
  // linux/bpf.h includes asm/types.h, which Debian keeps under the multiarch directory.
  const multiarch = `/usr/include/${process.arch === "arm64" ? "aarch64" : "x86_64"}-linux-gnu`;
  execFileSync("/usr/bin/clang-14", ["-O2", "-g", "-target", "bpf", `-I${multiarch}`, "-c", c("uprobe-count.bpf.c"), "-o", object], { stdio: "inherit" });
  execFileSync(cc, ["-O2", "-o", loader, c("uprobe-count.c"), "-lbpf"], { stdio: "inherit" });
  return [loader, object];
}

async function main(): Promise<void> {
  if (!installed("bpftrace")) throw new Error("bench: bpftrace is not installed");
  const cc = ["/usr/bin/clang-14", "/usr/bin/cc", "/usr/bin/gcc"].find(existsSync);
  if (!cc) throw new Error("bench: no C compiler (clang-14, cc)");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-uprobe-"));
  try {
    writeFileSync(join(dir, "calls.c"), PROGRAM);
    const binary = join(dir, "calls");
    execFileSync(cc, ["-O2", "-o", binary, join(dir, "calls.c")]);
    const [loader, object] = buildCLoader(dir);
    const probe = join(dir, "count.ts");
    writeFileSync(probe, `import { Count, uprobe, type i32 } from "tsbpf";\nexport const calls = new Count();\nexport const onCall = uprobe("${binary}:probed", (x: i32) => {\n  calls.increment();\n});\n`);
    const series: Record<string, number[]> = { bare: [], tsbpf: [], bpftrace: [], c: [] };
    const load = loadavg().map((l) => l.toFixed(2)).join(" ");
    timeProgram(binary); // warm
    await timeUnder([tsbpf, "run", probe], /Attached/, binary); // compile and cache the probe
    for (let i = 0; i < runs; i++) {
      series.bare.push(timeProgram(binary));
      series.tsbpf.push(await timeUnder([tsbpf, "run", probe], /Attached/, binary));
      // BEGIN runs once every probe is attached ("Attaching…" comes before); -B none: bpftrace
      // buffers its output when it is a pipe.
      series.bpftrace.push(await timeUnder(["bpftrace", "-B", "none", "-e", `BEGIN { printf("ready\\n"); } uprobe:${binary}:probed { @ = count(); }`], /ready/, binary));
      series.c.push(await timeUnder([loader, object, binary, "probed"], /ready/, binary));
    }
    const bare = median(series.bare);
    const perCall = (ms: number) => ((ms - bare) * 1e3) / CALLS; // µs
    const t = median(series.tsbpf);
    const b = median(series.bpftrace);
    const c = median(series.c);
    const lines = [
      `runs: ${runs} per series, round-robin; median wall time of ${CALLS.toLocaleString("en")} calls; ${new Date().toISOString().slice(0, 16)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}; load average before ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
      "",
      "| what | program's time (median) | cost per call | × bpftrace |",
      "| --- | ---: | ---: | ---: |",
      `| bare (no probe) | ${bare.toFixed(0)} ms | – | – |`,
      `| bpftrace \`uprobe:…:probed { @ = count(); }\` | ${b.toFixed(0)} ms | ${perCall(b).toFixed(2)} µs | 1.00 |`,
      `| tsbpf run, a uprobe with a Count | ${t.toFixed(0)} ms | ${perCall(t).toFixed(2)} µs | ${(perCall(t) / perCall(b)).toFixed(2)} |`,
      `| C libbpf loader, a C program bumping a per-CPU counter | ${c.toFixed(0)} ms | ${perCall(c).toFixed(2)} µs | ${(perCall(c) / perCall(b)).toFixed(2)} |`,
      "",
      `each series' per-call costs (µs), run by run: ${Object.entries(series)
        .filter(([name]) => name !== "bare")
        .map(([name, ms]) => `${name} ${ms.map((m) => perCall(m).toFixed(2)).join(" ")}`)
        .join("; ")}`,
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
