// What /proc and signal 0 say of another process: whether it is still there, and its stat
// fields. Used by `--pid` (the run ends with the process), the stale tracefs instances of dead
// runs, and the mappings kept for user stacks.

import { readFileSync } from "node:fs";

/** Whether process `pid` exists: signal 0 finds it (EPERM: it is there, someone else's). A zombie counts. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * The fields of /proc/<pid>/stat after the name, from field 3 (the state) on; undefined if it
 * is gone. The name (field 2) may hold spaces and parentheses, so they are counted from its end.
 */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Whether process `pid` has ended: no such process, or a zombie its parent has not reaped. */
export function processEnded(pid: number): boolean {
  return !processExists(pid) || (statFields(pid)?.[0] ?? "Z") === "Z";
}
