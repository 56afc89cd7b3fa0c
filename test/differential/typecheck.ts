// Type-checks printed programs with TypeScript against tsbpf's own declarations and the options
// the compiler uses (noLib, strict), without the compiler itself: a generator or printer bug then
// shows up as a TypeScript error here rather than as a false "mismatch" in the kernel tester.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ts from "typescript";
import { probeCompilerOptions } from "../../compiler/frontend/checked-source.js";

function stdlibDir(): string {
  // dist/test/differential → the package root, wherever the build puts it.
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, "stdlib", "index.d.ts"))) return join(d, "stdlib");
  }
  throw new Error("stdlib/index.d.ts not found above " + __dirname);
}

/** TypeScript's errors for each source (same order), as "line:col message" strings. */
export function typecheckSources(sources: readonly string[]): string[][] {
  const dir = stdlibDir();
  const index = join(dir, "index.d.ts");
  const lib = join(dir, "lib.d.ts");
  const names = sources.map((_, i) => `/virtual/p${i}.ts`);
  const files = new Map<string, string>(names.map((n, i) => [n, sources[i]]));
  // index.d.ts re-exports the other declaration files ("./integers.js" is integers.d.ts).
  for (const f of readdirSync(dir).filter((e) => e.endsWith(".d.ts"))) files.set(join(dir, f), readFileSync(join(dir, f), "utf8"));
  // The compiler's own options: a printed program must pass exactly the check tsbpf makes.
  const options = probeCompilerOptions(ts);
  const host: ts.CompilerHost = {
    getSourceFile: (name, version) => {
      const text = files.get(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, version, true);
    },
    getDefaultLibFileName: () => lib,
    writeFile: () => undefined,
    getCurrentDirectory: () => "/virtual",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => files.has(f),
    readFile: (f) => files.get(f),
    resolveModuleNameLiterals: (literals) =>
      literals.map((l) =>
        l.text === "tsbpf" || l.text.startsWith("./")
          ? { resolvedModule: { resolvedFileName: l.text === "tsbpf" ? index : join(dir, l.text.replace(/\.js$/, ".d.ts")), extension: ts.Extension.Dts, isExternalLibraryImport: false } }
          : { resolvedModule: undefined },
      ),
  };
  const program = ts.createProgram({ rootNames: [...names, lib], options, host });
  return names.map((n) => {
    const sf = program.getSourceFile(n)!;
    return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
  });
}
