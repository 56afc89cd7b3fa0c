// Start-up benchmark (issue 2): from `tsbpf run examples/hello-syncfs.ts` to attached-and-exited,
// side by side with bpftrace doing the same, in one run. Prints a markdown table for
// bench/RESULTS.md.  Usage: npm run bench [-- --runs N] [--against <other checkout>/bin/tsbpf]
// [--probe execsnoop] (issue 10: examples/execsnoop.ts, which reads kernel structs, against
// bench/execsnoop.bt) [--probe printk] (examples/hello-printk.ts: hello-syncfs with printk)
// (root; bpftrace installed). --against times another build's launcher in the same rounds, so
// that a change is measured before and after on the same stretch of this noisy machine.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, machineLine, phaseTable, series, startupTable, timeProcess, timeRoundRobin } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 9;
const against = option("--against");
const tsbpf = join(packageRoot, "bin", "tsbpf");

/** bpftrace printing a line on each syncfs, exiting once attached (BEGIN runs after every probe attached). */
const HELLO_BPFTRACE = {
  bpftrace: ["bpftrace", "-e", 'tracepoint:syscalls:sys_enter_syncfs { printf("syncfs called\\n"); } BEGIN { exit(); }'],
  label: "bpftrace -e '…' (BEGIN { exit() })",
};

/** Each probe timed, with the bpftrace command that does the same and exits once attached. */
const PROBES: Record<string, { example: string; bpftrace: string[]; label: string }> = {
  hello: { example: join(packageRoot, "examples", "hello-syncfs.ts"), ...HELLO_BPFTRACE },
  // The same probe with printk (the trace pipe, a tracefs instance per run: D154).
  printk: { example: join(packageRoot, "examples", "hello-printk.ts"), ...HELLO_BPFTRACE },
  execsnoop: {
    example: join(packageRoot, "examples", "execsnoop.ts"),
    bpftrace: ["bpftrace", join(packageRoot, "bench", "execsnoop.bt"), "1"],
    label: "bpftrace bench/execsnoop.bt (exits once attached)",
  },
};
const probe = PROBES[option("--probe") ?? "hello"];
if (!probe) throw new Error(`--probe: one of ${Object.keys(PROBES).join(", ")}`);
const example = probe.example;

function main(): void {
  if (!installed("bpftrace")) {
    process.stderr.write("bench: bpftrace is not installed (apt-get install bpftrace)\n");
    process.exit(1);
  }
  // Warm the page cache and tsbpf's caches the same way for everyone: two builds each make
  // what a build keeps (V8's code caches; then the compiler's start-up snapshot, D156).
  for (const launcher of [tsbpf, ...(against ? [against] : [])]) {
    timeProcess([launcher, "run", example, "--duration", "0"]);
    for (let i = 0; i < 2; i++) timeProcess([launcher, "run", example, "--duration", "0", "--no-cache"]);
  }
  timeProcess(probe.bpftrace);

  const results = [
    series(probe.label, () => ({ cmd: probe.bpftrace })),
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
  timeRoundRobin(results, runs);

  const lines = [
    `runs: ${runs} per series, round-robin; median wall time of the whole process; ${new Date().toISOString().slice(0, 10)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}; ${machineLine()}`,
    "",
    ...startupTable(results),
    "",
    "Where tsbpf's time goes (medians, ms; `snapshot` = the compiler's process, started from the compiler's start-up snapshot, less its phases; `detach` = the kernel's tracepoint unregistration, paid by bpftrace too; `process` = Node start-up, module loading and exit):",
    "",
    ...phaseTable(results.slice(1)),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main();
