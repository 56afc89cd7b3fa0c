// Start-up benchmark (issue 2): from `tsbpf run examples/hello-syncfs.ts` to attached-and-exited,
// side by side with bpftrace doing the same, in one run. Prints a markdown table for
// bench/RESULTS.md.  Usage: npm run bench [-- --runs N] [--against <other checkout>/bin/tsbpf]
// (root; bpftrace installed). --against times another build's launcher in the same rounds, so
// that a change is measured before and after on the same stretch of this noisy machine.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { criticalPath } from "../compiler/compile.js";
import { packageRoot } from "../contract/paths.js";
import { median } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 9;
const against = option("--against");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
const tsbpf = join(packageRoot, "bin", "tsbpf");
const example = join(packageRoot, "examples", "hello-syncfs.ts");

interface Sample {
  wallMs: number;
  rssKb?: number;
  phases: Record<string, number>;
}

function once(cmd: string[], env: NodeJS.ProcessEnv = {}): Sample {
  const argv = TIME ? [TIME, "-f", "RSS_KB=%M", ...cmd] : cmd;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { ...process.env, ...env } });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} failed (${r.status}):\n${r.stderr}`);
  const rss = /RSS_KB=(\d+)/.exec(r.stderr);
  const phases: Record<string, number> = {};
  const t = /tsbpf: timings: (.*) \(total/.exec(r.stderr);
  for (const part of t?.[1].split(", ") ?? []) {
    const [name, ms] = part.split(" ");
    phases[name] = Number(ms);
  }
  return { wallMs, rssKb: rss ? Number(rss[1]) : undefined, phases };
}

interface Series {
  name: string;
  make: () => { cmd: string[]; env?: NodeJS.ProcessEnv; after?: () => void };
  samples: Sample[];
}

/** Round-robin over the series, so that drift in the machine's speed touches all of them alike. */
function measure(series: Series[]): void {
  for (let i = 0; i < runs; i++) {
    for (const s of series) {
      const { cmd, env, after } = s.make();
      s.samples.push(once(cmd, env));
      after?.();
    }
  }
}

/** The middle half of the samples, as "lower–upper ms": how far one run strays from the median. */
function quartiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  return `${at(0.25).toFixed(0)}–${at(0.75).toFixed(0)} ms`;
}

function main(): void {
  if (!execFileSync("sh", ["-c", "command -v bpftrace || true"], { encoding: "utf8" }).trim()) {
    process.stderr.write("bench: bpftrace is not installed (apt-get install bpftrace)\n");
    process.exit(1);
  }
  // Warm the page cache and tsbpf's caches the same way for everyone.
  once([tsbpf, "run", example, "--duration", "0"]);
  if (against) once([against, "run", example, "--duration", "0"]);
  const bpftraceProg = 'tracepoint:syscalls:sys_enter_syncfs { printf("syncfs called\\n"); } BEGIN { exit(); }';
  once(["bpftrace", "-e", bpftraceProg]);

  const series = (name: string, make: Series["make"]): Series => ({ name, make, samples: [] });
  const results = [
    series("bpftrace -e '…' (BEGIN { exit() })", () => ({ cmd: ["bpftrace", "-e", bpftraceProg] })),
    series("tsbpf run, cached object", () => ({ cmd: [tsbpf, "run", example, "--duration", "0", "--timings"] })),
    series("tsbpf run, cold (compiles; toolchain caches warm)", () => ({ cmd: [tsbpf, "run", example, "--duration", "0", "--timings", "--no-cache"] })),
    series("tsbpf run, first run ever (empty cache dir)", () => {
      const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-"));
      return { cmd: [tsbpf, "run", example, "--duration", "0", "--timings"], env: { TSBPF_CACHE_DIR: dir }, after: () => rmSync(dir, { recursive: true }) };
    }),
    ...(against
      ? [
          series(`${against}: cached object`, () => ({ cmd: [against, "run", example, "--duration", "0", "--timings"] })),
          series(`${against}: cold`, () => ({ cmd: [against, "run", example, "--duration", "0", "--timings", "--no-cache"] })),
        ]
      : []),
  ];
  measure(results);

  const base = median(results[0].samples.map((s) => s.wallMs));
  const lines = [
    `runs: ${runs} per series, round-robin; median wall time of the whole process; ${new Date().toISOString().slice(0, 10)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}`,
    "",
    "| what | wall (median) | × bpftrace | quartiles | peak RSS |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of results) {
    const walls = r.samples.map((s) => s.wallMs);
    const wall = median(walls);
    const rss = r.samples.every((s) => s.rssKb) ? `${(median(r.samples.map((s) => s.rssKb!)) / 1024).toFixed(0)} MB` : "n/a";
    lines.push(`| ${r.name} | ${wall.toFixed(0)} ms | ${(wall / base).toFixed(2)} | ${quartiles(walls)} | ${rss} |`);
  }
  lines.push("", "Where tsbpf's time goes (medians, ms; `detach` = the kernel's tracepoint unregistration, paid by bpftrace too; `process` = Node start-up, module loading and exit):", "");
  const phaseNames = ["typescript", "lower", "llvm", "cache", "load", "attach", "detach"];
  lines.push(`| series | ${phaseNames.join(" | ")} | process |`, `| --- |${" ---: |".repeat(phaseNames.length + 1)}`);
  for (const r of results.slice(1)) {
    const cells = phaseNames.map((p) => {
      const xs = r.samples.map((s) => s.phases[p]).filter((x) => x !== undefined);
      return xs.length ? median(xs).toFixed(1) : "–";
    });
    const rest = median(r.samples.map((s) => s.wallMs - criticalPath(s.phases)));
    lines.push(`| ${r.name} | ${cells.join(" | ")} | ${rest.toFixed(1)} |`);
  }
  process.stdout.write(lines.join("\n") + "\n");
}

main();
