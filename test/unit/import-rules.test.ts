// The layering rules (docs/architecture.md, "Layers"; D75, D76), checked on the import graph of
// the sources: contract/ is what compiler and runtime agree on and needs neither TypeScript's API
// nor koffi; native/ holds koffi bindings both may use; compiler/ never reaches into runtime/;
// runtime/ compiles on demand through the compile entry and nothing else of the compiler.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { packageRoot } from "../../contract/paths.js";

const LAYERS = ["contract", "compiler", "runtime", "native"];
const COMPILE_ENTRY = "compiler/compile.ts";
/** The kernel types' entry: `tsbpf types` and `tsbpf list` read BTF without the rest of the compiler (D143). */
const KERNEL_TYPES_ENTRY = "compiler/btf/kernel-types.ts";

/** An import: the importing file and what it names, both repo-relative for local modules. */
interface Edge {
  from: string;
  to: string;
}

function sources(dir: string): string[] {
  return readdirSync(join(packageRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

// `from "x"` (import, export … from), `import "x"`, `import("x")` (also in types), `require("x")`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)"([^"]+)"/g;

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(packageRoot, file), "utf8");
  return [...text.matchAll(SPECIFIER)].map(([, spec]) => ({
    from: file,
    // a local module by its source path; a package or node: builtin by its name
    to: spec.startsWith(".") ? relative(packageRoot, resolve(packageRoot, dirname(file), spec)).replace(/\.js$/, ".ts") : spec,
  }));
}

const layerOf = (path: string) => path.split("/")[0];

/** Each edge that breaks a rule, described. */
function violations(edges: Edge[]): string[] {
  const broken = (e: Edge, rule: string) => `${e.from} imports ${e.to}: ${rule}`;
  return edges.flatMap((e) => {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === "contract" && (e.to === "typescript" || e.to === "koffi")) return [broken(e, "contract/ uses neither TypeScript's API nor koffi")];
    if (from === "contract" && ["compiler", "runtime", "native"].includes(to)) return [broken(e, "contract/ imports only itself and node:")];
    if (from === "native" && ["compiler", "runtime"].includes(to)) return [broken(e, "native/ imports neither compiler/ nor runtime/")];
    if (from === "compiler" && to === "runtime") return [broken(e, "compiler/ never imports runtime/")];
    if (from === "runtime" && to === "compiler" && e.to !== COMPILE_ENTRY && e.to !== KERNEL_TYPES_ENTRY)
      return [broken(e, `runtime/ imports the compiler only through ${COMPILE_ENTRY} (and kernel types through ${KERNEL_TYPES_ENTRY})`)];
    return [];
  });
}

const edges = LAYERS.flatMap(sources).flatMap(importsOf);

test("the sources keep the layering rules", () => {
  expect(violations(edges)).toEqual([]);
});

test("the scan sees the imports the rules are about", () => {
  // If the specifier pattern stopped matching, the rules above would hold vacuously.
  const has = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
  expect(has("runtime/index.ts", COMPILE_ENTRY)).toBe(true); // a type import and a require()
  expect(has("compiler/object-link.ts", "native/libbpf.ts")).toBe(true);
  expect(has("native/libbpf.ts", "koffi")).toBe(true);
  expect(has("runtime/loader.ts", "contract/manifest.ts")).toBe(true);
  expect(edges.filter((e) => layerOf(e.from) === "contract").length).toBeGreaterThan(0);
});

test("each rule catches the import that breaks it", () => {
  const bad: Edge[] = [
    { from: "contract/errors.ts", to: "typescript" },
    { from: "contract/c-layout.ts", to: "koffi" },
    { from: "contract/manifest.ts", to: "compiler/compile.ts" },
    { from: "native/libbpf.ts", to: "runtime/loader.ts" },
    { from: "compiler/object-link.ts", to: "runtime/libbpf.ts" },
    { from: "runtime/param-values.ts", to: "compiler/frontend/probe-types.ts" },
  ];
  expect(bad.map((e) => violations([e]).length)).toEqual(bad.map(() => 1));
  expect(violations([{ from: "runtime/index.ts", to: COMPILE_ENTRY }])).toEqual([]);
  expect(violations([{ from: "runtime/list-command.ts", to: KERNEL_TYPES_ENTRY }])).toEqual([]);
  expect(violations([{ from: "runtime/list-command.ts", to: "compiler/btf/btf-parse.ts" }]).length).toBe(1);
});

// "Nothing else computes a layout" (issue 8): contract/c-layout.ts is the one place that derives a
// size from an integer's width or rounds an offset up to an alignment.
const LAYOUT_ARITHMETIC: [RegExp, string][] = [
  [/\bbits\s*(\/\s*8|>>\s*3)\b/, "an integer's size from its width: use sizeOf from contract/c-layout.ts"],
  [/Math\.ceil\(\s*([\w.]+)\s*\/\s*([\w.]+)\s*\)\s*\*\s*\2\b/, "rounding up to an alignment: use alignUp (or structLayout) from contract/c-layout.ts"],
];

function layoutArithmetic(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => LAYOUT_ARITHMETIC.filter(([pattern]) => pattern.test(line)).map(([, rule]) => `${file}:${i + 1}: ${rule}`));
}

test("only the contract computes C layout", () => {
  const files = ["compiler", "runtime", "native"].flatMap(sources);
  expect(files.flatMap((f) => layoutArithmetic(f, readFileSync(join(packageRoot, f), "utf8")))).toEqual([]);
  expect(layoutArithmetic("contract/c-layout.ts", readFileSync(join(packageRoot, "contract/c-layout.ts"), "utf8")).length).toBeGreaterThan(0);
});

test("the layout rule catches what the compiler and runtime used to compute", () => {
  const before = [
    "const size = d.type.bits / 8;",
    "offset = Math.ceil(offset / size) * size;",
    "const bytes = Math.ceil(size / STORAGE_ALIGN) * STORAGE_ALIGN;",
    'const align = v.type.kind === "int" ? v.type.bits / 8 : 1;',
  ];
  expect(before.map((line) => layoutArithmetic("x.ts", line).length)).toEqual([1, 1, 1, 1]);
});

/** The groups of files that import each other, directly or around a cycle (Tarjan's algorithm). */
function cycles(all: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of all) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!next.has(w)) continue; // a package, or a file that imports nothing
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = stack.splice(stack.indexOf(v));
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

test("no import cycle runs through the contract, native/, the runtime or the compiler's entry files", () => {
  // Cycles inside one of the compiler's stages (frontend/, lower/) remain; between the layers and
  // the files at the compiler's top (compile.ts and the cache it uses) there are none.
  const insideAStage = (f: string) => /^compiler\/[^/]+\//.test(f);
  expect(cycles(edges).filter((group) => !group.every(insideAStage))).toEqual([]);
  expect(cycles([...edges, { from: "compiler/object-cache.ts", to: "compiler/compile.ts" }]).some((g) => g.includes("compiler/object-cache.ts"))).toBe(true);
});
