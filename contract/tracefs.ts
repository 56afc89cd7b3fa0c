// Where tracefs is found: the compiler reads tracepoint formats from it (never mounting it), the
// runtime reads the tracepoint list and trace pipes (mounting it at TRACEFS where it is missing).

import { statSync } from "node:fs";

export const TRACEFS = "/sys/kernel/tracing";
/** Where kernels mount it: its own mount point, and inside debugfs on older set-ups. */
const MOUNT_POINTS = [TRACEFS, "/sys/kernel/debug/tracing"];

/** Where tracefs is mounted (its events/ readable by this user), if it is. */
export function tracefsRoot(): string | undefined {
  return tracefsMounts().root;
}

/**
 * Why tracefs cannot be read here, where it is mounted but not readable by this user (its
 * folder is root's, 0700): the compiler then knows no tracepoint's fields. Undefined otherwise.
 */
export function tracefsUnreadable(): string | undefined {
  const { root, denied } = tracefsMounts();
  return root === undefined && denied !== undefined ? `tracefs (${denied}) is not readable by this user (uid ${process.getuid?.() ?? "?"})` : undefined;
}

/** The first mount point whose events this user can see; else the first one that refused them. */
function tracefsMounts(): { root?: string; denied?: string } {
  let denied: string | undefined;
  for (const root of MOUNT_POINTS) {
    try {
      if (statSync(`${root}/events`).isDirectory()) return { root };
    } catch (e) {
      // not there, or (EACCES, EPERM) not this user's to read
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") denied ??= root;
    }
  }
  return { denied };
}
