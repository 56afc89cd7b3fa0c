// What the benchmarks share: the median of timings, instruction counts read off an object, and
// the timing of whole processes from start to exit (start-up: run-hello.ts, events.ts).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { criticalPath } from "../compiler/compile.js";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * What this machine was like during a run, for the line above a table: its load, and what a page
 * fault cost (the first write to each page of 64 MB, median of 5). Start-up figures move with the
 * second: on the PVM guest of 2026-11-30 a fault cost 5.5 µs, and the processes compared touch
 * different amounts of memory (D194).
 */
export function machineLine(): string {
  const PAGES = 16384;
  const costs: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = process.resourceUsage().minorPageFault;
    const start = performance.now();
    const bytes = new Uint8Array(PAGES * 4096);
    for (let page = 0; page < PAGES; page++) bytes[page * 4096] = 1;
    const faults = process.resourceUsage().minorPageFault - before;
    costs.push(((performance.now() - start) * 1000) / Math.max(faults, 1));
  }
  return `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}; a page fault ${median(costs).toFixed(1)} µs (first writes to 64 MB)`;
}

/** Instruction slots of each function symbol in an object (a 16-byte ld_imm64 counts 2, as in the kernel). */
export function functionSizes(object: string): Map<string, number> {
  const text = execFileSync("readelf", ["-sW", object], { encoding: "utf8" });
  const sizes = new Map<string, number>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "FUNC") sizes.set(f[7], Number(f[2]) / 8);
  }
  return sizes;
}

/** Whether a command is installed; the benchmarks that compare with it cannot run without. */
export function installed(command: string): boolean {
  return execFileSync("sh", ["-c", `command -v ${command} || true`], { encoding: "utf8" }).trim() !== "";
}

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/** One run of a process, start to exit: its wall time, peak RSS and the phases `--timings` printed. */
export interface Sample {
  wallMs: number;
  rssKb?: number;
  phases: Record<string, number>;
}

/** `env`: variables set for it besides this process's. */
export function timeProcess(cmd: string[], env: NodeJS.ProcessEnv = {}): Sample {
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

/** A command timed again and again; `make` gives each run's command (and what to do after it). */
export interface Series {
  name: string;
  make: () => { cmd: string[]; env?: NodeJS.ProcessEnv; after?: () => void };
  samples: Sample[];
}

export const series = (name: string, make: Series["make"]): Series => ({ name, make, samples: [] });

/** Round-robin over the series, so that drift in the machine's speed touches all of them alike. */
export function timeRoundRobin(all: Series[], runs: number): void {
  for (let i = 0; i < runs; i++) {
    for (const s of all) {
      const { cmd, env, after } = s.make();
      s.samples.push(timeProcess(cmd, env));
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

/** A markdown table of the series' median wall times, each against the first series'. */
export function startupTable(all: Series[]): string[] {
  const base = median(all[0].samples.map((s) => s.wallMs));
  const lines = [`| what | wall (median) | × ${all[0].name.split(" ")[0]} | quartiles | peak RSS |`, "| --- | ---: | ---: | ---: | ---: |"];
  for (const r of all) {
    const walls = r.samples.map((s) => s.wallMs);
    const wall = median(walls);
    const rss = r.samples.every((s) => s.rssKb) ? `${(median(r.samples.map((s) => s.rssKb!)) / 1024).toFixed(0)} MB` : "n/a";
    lines.push(`| ${r.name} | ${wall.toFixed(0)} ms | ${(wall / base).toFixed(2)} | ${quartiles(walls)} | ${rss} |`);
  }
  return lines;
}

/** Where tsbpf's time goes in each series (medians of the `--timings` phases; `process` is the rest). */
export function phaseTable(all: Series[]): string[] {
  const phaseNames = ["snapshot", "kernel", "typescript", "lower", "llvm", "cache", "load", "attach", "detach"];
  const lines = [`| series | ${phaseNames.join(" | ")} | process |`, `| --- |${" ---: |".repeat(phaseNames.length + 1)}`];
  for (const r of all) {
    const cells = phaseNames.map((p) => {
      const xs = r.samples.map((s) => s.phases[p]).filter((x) => x !== undefined);
      return xs.length ? median(xs).toFixed(1) : "–";
    });
    const rest = median(r.samples.map((s) => s.wallMs - criticalPath(s.phases)));
    lines.push(`| ${r.name} | ${cells.join(" | ")} | ${rest.toFixed(1)} |`);
  }
  return lines;
}
