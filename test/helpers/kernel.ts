// Facts about BPF state in the running kernel, read with bpftool (installed by .ci/run).
import { execFileSync, spawn } from "node:child_process";

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

/**
 * A process whose pid is known before it calls syncfs: a shell that waits for a line on stdin,
 * then becomes `sync --file-system /` (exec keeps the pid).
 */
export function syncfsLater(): { pid: number; go(): Promise<void> } {
  const child = spawn("sh", ["-c", "read _ && exec sync --file-system /"], { stdio: ["pipe", "ignore", "inherit"] });
  const done = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    pid: child.pid!,
    go: async () => {
      child.stdin!.end("go\n");
      await done;
    },
  };
}
