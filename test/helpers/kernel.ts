// Facts about BPF state in the running kernel, read with bpftool (installed by .ci/run).
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import koffi from "koffi";
import type { Probe } from "../../runtime/index.js";

export interface KernelProg {
  id: number;
  type: string;
  name?: string;
}

export function loadedPrograms(): KernelProg[] {
  return JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" })) as KernelProg[];
}

/** The program of examples/hello-syncfs.ts (or hello-printk.ts), while some run has it loaded. */
export const helloLoaded = () => loadedPrograms().filter((p) => p.name === "hello" && p.type === "tracepoint");

/** The tracefs instances tsbpf runs have made and not yet removed (runtime/trace-instance.ts). */
export function tsbpfInstances(): string[] {
  return readdirSync("/sys/kernel/tracing/instances").filter((n) => n.startsWith("tsbpf-"));
}

/** syncfs(2) called by this very process (a probe may keep to its pid), through libc. */
export function syncfsFromThisProcess(): void {
  const libc = koffi.load("libc.so.6");
  const openFd = libc.func("int open(const char *path, int flags)") as unknown as (p: string, f: number) => number;
  const syncfs = libc.func("int syncfs(int fd)") as unknown as (fd: number) => number;
  const close = libc.func("int close(int fd)") as unknown as (fd: number) => number;
  const fd = openFd("/", 0);
  if (fd < 0) throw new Error("cannot open /");
  try {
    if (syncfs(fd) !== 0) throw new Error("syncfs failed");
  } finally {
    close(fd);
  }
}

export function triggerSyncfs(): void {
  execFileSync("sync", ["--file-system", "/"]);
}

/**
 * A process whose pid is known before it runs `command`: a shell that waits for a line on stdin,
 * then becomes the command (exec keeps the pid). Its output is dropped, its errors shown.
 */
export function runLater(command: string): { pid: number; go(): Promise<void> } {
  const child = spawn("sh", ["-c", `read _ && exec ${command}`], { stdio: ["pipe", "ignore", "inherit"] });
  const done = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    pid: child.pid!,
    go: async () => {
      child.stdin!.end("go\n");
      await done;
    },
  };
}

/**
 * What the probe's event stream `stream` carries once this process calls syncfs: the stream taken
 * before attaching, so that nothing is missed, then polled once.
 */
export function eventsOfOwnSyncfs(probe: Probe, stream: string): Record<string, unknown>[] {
  const events = probe.events(stream);
  probe.attach();
  syncfsFromThisProcess();
  const seen: Record<string, unknown>[] = [];
  events.poll((batch) => seen.push(...(batch as Record<string, unknown>[])));
  return seen;
}

/** A process whose pid is known before it calls syncfs (`sync --file-system /`). */
export const syncfsLater = () => runLater("sync --file-system /");

export type BpfObjectKind = "prog" | "map" | "link" | "btf";

/** The kernel's ids of the BPF objects process `pid` holds descriptors of, read from /proc/<pid>/fdinfo. */
export function bpfObjectsOf(pid: number): Record<BpfObjectKind, number[]> {
  const held: Record<BpfObjectKind, number[]> = { prog: [], map: [], link: [], btf: [] };
  const inode: Record<string, BpfObjectKind> = { "anon_inode:bpf-prog": "prog", "anon_inode:bpf-map": "map", "anon_inode:bpf_link": "link", "anon_inode:btf": "btf" };
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const kind = inode[readlinkSync(`/proc/${pid}/fd/${fd}`)];
      const id = kind && new RegExp(`^${kind}_id:\\s*(\\d+)$`, "m").exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"));
      if (id) held[kind].push(Number(id[1]));
    } catch {
      // closed meanwhile
    }
  }
  return held;
}

/** Whether the kernel still has the BPF object of this kind and id. */
export function exists(kind: BpfObjectKind, id: number): boolean {
  try {
    execFileSync("bpftool", [kind, "show", "id", String(id)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Which of `ids` the kernel has freed within `ms`. The kernel frees a link, and then its
 * program, on a work queue shortly after the last reference goes, not at once.
 */
export async function freed(kind: BpfObjectKind, ids: number[], ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (ids.some((id) => exists(kind, id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return ids.filter((id) => !exists(kind, id));
}
