// Facts about BPF state in the running kernel, read with bpftool (installed by .ci/run).
import { execFileSync } from "node:child_process";

export interface KernelProg {
  id: number;
  type: string;
  name?: string;
}

export function loadedPrograms(): KernelProg[] {
  return JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" })) as KernelProg[];
}

export function triggerSyncfs(): void {
  execFileSync("sync", ["--file-system", "/"]);
}
