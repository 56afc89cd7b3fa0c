// A USDT probe's target, "binary:provider:name" or "binary:name" (bpftrace's form, the provider
// left out where the binary has one probe of that name), as the compiler checks it and the
// runtime attaches it. The binary is found as a uprobe's is (runtime/attach/user-binaries.ts).

export interface UsdtTarget {
  /** As written: "/usr/bin/python3", "libpython3.11", "python3". */
  binary: string;
  /** Absent when the target names the probe alone. */
  provider?: string;
  name: string;
}

// sys/sdt.h pastes the provider and name into C identifiers (`provider_name_semaphore`).
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The target's parts, or what is wrong with it (a sentence for the error). */
export function parseUsdtTarget(text: string): UsdtTarget | { problem: string } {
  const parts = text.split(":");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) return { problem: `"${text}" is not "binary:provider:name" (or "binary:name")` };
  const [binary, ...probe] = parts;
  if (/[\0\n]/.test(binary)) return { problem: `the binary in "${text}" is not a file name` };
  const bad = probe.find((p) => !IDENTIFIER.test(p));
  if (bad !== undefined) return { problem: `"${bad}" in "${text}" is not a USDT provider or probe name (a C identifier, as sys/sdt.h writes them)` };
  return probe.length === 2 ? { binary, provider: probe[0], name: probe[1] } : { binary, name: probe[0] };
}

/** The probe as bpftrace and readelf name it: "provider:name", or the name alone. */
export const usdtProbeName = (t: { provider?: string; name: string }): string => (t.provider ? `${t.provider}:${t.name}` : t.name);
