// The names a probe calls tsbpf's program functions by, found in its text as the kernel requests
// are (no TypeScript): `import { tracepoint as tp } from "tsbpf"` makes `tp("…")` a tracepoint.

const TSBPF_IMPORT = /\bimport\s+(?:type\s+)?\{([^}]*)\}\s*from\s*(["'])tsbpf\2/g;

/** `exported`, and every local name `source` imports one of them from "tsbpf" as. */
export function localNames(source: string, exported: readonly string[]): string[] {
  const names = new Set(exported);
  for (const m of source.matchAll(TSBPF_IMPORT))
    for (const part of m[1].split(",")) {
      const alias = /^\s*(?:type\s+)?([A-Za-z_$][\w$]*)\s+as\s+([A-Za-z_$][\w$]*)\s*$/.exec(part);
      if (alias && exported.includes(alias[1])) names.add(alias[2]);
    }
  return [...names];
}

/** A regular-expression alternation of `names` (identifiers: nothing to escape but `$`). */
export function namePattern(names: readonly string[]): string {
  return `(?:${names.map((n) => n.replace(/\$/g, "\\$")).join("|")})`;
}
