// What the benchmarks share: the median of timings, and instruction counts read off an object.

import { execFileSync } from "node:child_process";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
