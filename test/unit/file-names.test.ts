// Names say what they mean (docs/architecture.md; D70): two source files may share a name only
// as the two halves of one kind (compiler/kinds/xdp.ts and runtime/attach/xdp.ts), and then
// they export different things; no file exports a name another file of the same name exports.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { packageRoot } from "../../contract/paths.js";

function sources(dir: string): string[] {
  return readdirSync(join(packageRoot, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : [],
  );
}

const EXPORT = /^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|interface|type|enum|abstract\s+class)\s+([A-Za-z_$][\w$]*)/gm;

function exportsOf(file: string): Set<string> {
  return new Set([...readFileSync(join(packageRoot, file), "utf8").matchAll(EXPORT)].map((m) => m[1]));
}

test("files that share a name export nothing of the same name", () => {
  const byName = new Map<string, string[]>();
  for (const f of ["contract", "compiler", "runtime", "native"].flatMap(sources)) byName.set(basename(f), [...(byName.get(basename(f)) ?? []), f]);
  const clashes: string[] = [];
  for (const files of byName.values()) {
    for (let i = 0; i < files.length; i++)
      for (let j = i + 1; j < files.length; j++) {
        const theirs = exportsOf(files[j]);
        const shared = [...exportsOf(files[i])].filter((n) => theirs.has(n));
        if (shared.length) clashes.push(`${files[i]} and ${files[j]} both export ${shared.join(", ")}`);
      }
  }
  expect(clashes).toEqual([]);
  // The scan sees exports: the two registries are found and each exports something.
  expect(byName.get("registry.ts")?.map(exportsOf).every((s) => s.size > 0)).toBe(true);
});
