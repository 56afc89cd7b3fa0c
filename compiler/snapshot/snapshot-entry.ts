// Builds the compiler's start-up snapshot (compile-server.ts says what it holds), in
// `node --snapshot-blob <file> --build-snapshot <script>`, whose script runs this file
// (compiler-snapshot.ts, builderScript: the builder gives its script no `exports`). Node refuses
// to start from a snapshot whose builder loaded modules through Node's own loader, so this file
// loads tsbpf's modules and TypeScript itself: each one a function over its text, as Node wraps a
// CommonJS module, run once and kept by file name. Only Node's own modules are imported here.
// What cannot be in a snapshot (koffi, a native addon, and LLVM through it) is loaded by Node's
// loader once a process has started from the snapshot.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { startupSnapshot } from "node:v8";
import { runInThisContext } from "node:vm";

const modules = new Map<string, { exports: unknown }>();
/** A process has started from the snapshot: any package may be loaded (while building, only Node's own modules). */
let started = false;

const load = (file: string): unknown => {
  const known = modules.get(file);
  if (known) return known.exports;
  const mod = { exports: {} as unknown };
  modules.set(file, mod);
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json")) return (mod.exports = JSON.parse(text));
  const run = runInThisContext(`(function (exports, require, module, __filename, __dirname) { ${text}\n})`, { filename: file }) as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, requireFrom(file), mod, file, dirname(file));
  return mod.exports;
};

const requireFrom = (file: string): NodeJS.Require => {
  const nodeRequire = createRequire(file);
  const loadFrom = (id: string): unknown => {
    if (id.startsWith("./") || id.startsWith("../") || id.startsWith("/")) return load(resolve(dirname(file), id));
    if (id === "typescript") return load(nodeRequire.resolve(id));
    return started ? nodeRequire(id) : require(id);
  };
  return Object.assign(loadFrom, { resolve: nodeRequire.resolve }) as unknown as NodeJS.Require;
};

const server = load(resolve(__dirname, "compile-server.js")) as typeof import("./compile-server.js");
server.warmUp(load(createRequire(__filename).resolve("typescript")) as typeof import("typescript"));
startupSnapshot.setDeserializeMainFunction(() => {
  started = true;
  server.serve().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`tsbpf: the compiler's process failed: ${(e as Error)?.stack ?? e}\n`);
      process.exit(70);
    },
  );
});
