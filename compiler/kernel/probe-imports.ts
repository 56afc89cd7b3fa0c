// What a probe imports, found in its text as the kernel requests are (no TypeScript): the names
// it imports from "tsbpf/kernel", and the names it calls tsbpf's program functions by
// (`import { tracepoint as tp } from "tsbpf"` makes `tp("…")` a tracepoint).

/** One name of an `import { … } from "module"`: as exported, as the probe calls it, and where it stands. */
export interface ImportedName {
  name: string;
  local: string;
  /** Where `name` stands in the source. */
  offset: number;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const SPECIFIER = /^\s*(?:type\s+)?([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?\s*$/;

/** Every name `source` imports from `module` in braces (`import { a, type B as C } from "module"`). */
export function importedNames(source: string, module: string): ImportedName[] {
  const names: ImportedName[] = [];
  const imports = new RegExp(`\\bimport\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*(["'])${escapeRegExp(module)}\\2`, "g");
  for (const m of source.matchAll(imports)) {
    const start = m.index! + m[0].indexOf("{") + 1;
    let at = 0;
    for (const part of m[1].split(",")) {
      const specifier = SPECIFIER.exec(part);
      if (specifier) names.push({ name: specifier[1], local: specifier[2] ?? specifier[1], offset: start + at + part.indexOf(specifier[1]) });
      at += part.length + 1;
    }
  }
  return names;
}

/** `exported`, and every local name `source` imports one of them from "tsbpf" as. */
export function localNames(source: string, exported: readonly string[]): string[] {
  const names = new Set(exported);
  for (const i of importedNames(source, "tsbpf")) if (exported.includes(i.name)) names.add(i.local);
  return [...names];
}

/** A regular-expression alternation of `names` (identifiers: nothing to escape but `$`). */
export function namePattern(names: readonly string[]): string {
  return `(?:${names.map((n) => n.replace(/\$/g, "\\$")).join("|")})`;
}
