// Issue 10: `tsbpf types` (the whole vmlinux as TypeScript declarations) side by side
// with `bpftool btf dump file /sys/kernel/btf/vmlinux format c` (the same BTF as C), round-robin
// in one run. Prints a markdown table for bench/RESULTS.md. Targets: under 3 s, within 2× of
// bpftool.  Usage: npm run bench:types [-- --runs N] [-- --against <dir>] (bpftool installed; run
// it under `flock /tmp/tsbpf-kernel-tests.lock` beside other benchmarks). `--against` times another
// build's `tsbpf types --btf` (a checkout of an earlier commit, built) in the same round-robin:
// before and after, in the same minutes, where separate runs of this shared machine differ by more
// than a change does.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";
import { installed, machineLine, series, startupTable, timeProcess, timeRoundRobin } from "./measure.js";

const option = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs")) || 7;
const tsbpf = join(packageRoot, "bin", "tsbpf");
const against = option("--against");

function main(): void {
  if (!installed("bpftool")) {
    process.stderr.write("bench: bpftool is not installed (apt-get install bpftool)\n");
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-types-"));
  const btfDir = join(dir, "btf-only");
  try {
    const bpftool = ["sh", "-c", "bpftool btf dump file /sys/kernel/btf/vmlinux format c > /dev/null"];
    // Warm the page cache the same way for both.
    timeProcess(bpftool);
    timeProcess([tsbpf, "types", "-o", dir]);
    timeProcess([tsbpf, "types", "--btf", "/sys/kernel/btf/vmlinux", "-o", btfDir]);
    // The figure is the BTF's declarations (vmlinux.d.ts): `--btf` makes only those, where the
    // command by default also writes tracepoints.d.ts from tracefs (on another thread, D137).
    const all = [
      series("bpftool btf dump … format c > /dev/null", () => ({ cmd: bpftool })),
      series("tsbpf types --btf /sys/kernel/btf/vmlinux -o <tmp>", () => ({ cmd: [tsbpf, "types", "--btf", "/sys/kernel/btf/vmlinux", "-o", btfDir] })),
      series("tsbpf types -o <tmp> (and tracepoints.d.ts)", () => ({ cmd: [tsbpf, "types", "-o", dir] })),
    ];
    if (against) {
      const other = [join(against, "bin", "tsbpf"), "types", "--btf", "/sys/kernel/btf/vmlinux", "-o", join(dir, "against")];
      timeProcess(other);
      all.push(series(`tsbpf types --btf … of ${against}`, () => ({ cmd: other })));
    }
    timeRoundRobin(all, runs);
    const size = statSync(join(dir, "vmlinux.d.ts")).size;
    const lines = [
      `runs: ${runs} per series, round-robin; median wall time of the whole process; ${new Date().toISOString().slice(0, 10)}, ${execFileSync("uname", ["-r"], { encoding: "utf8" }).trim()}; ${machineLine()}; vmlinux.d.ts ${(size / 1e6).toFixed(1)} MB`,
      "",
      ...startupTable(all),
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    rmSync(dir, { recursive: true });
  }
}

main();
