// Loading BPF programs needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN). Checked up front, so
// that the user reads "run as root" rather than a bare EPERM from the kernel.

import { readFileSync } from "node:fs";
import { TsbpfError } from "../contract/errors.js";

const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;

export function effectiveCapabilities(): bigint | undefined {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? BigInt("0x" + m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function privilegeError(action: string): TsbpfError {
  return new TsbpfError(`not permitted to ${action}`, {
    subject: "permission",
    hint: "run as root (sudo tsbpf …), or give the process CAP_BPF and CAP_PERFMON (e.g. `sudo setcap cap_bpf,cap_perfmon+ep $(which node)`)",
  });
}

export function requireBpfPrivileges(): void {
  const caps = effectiveCapabilities();
  if (caps === undefined) return; // not Linux /proc: let the kernel answer
  const has = (c: bigint) => (caps >> c) & 1n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) return;
  throw privilegeError("load BPF programs (this needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
}
