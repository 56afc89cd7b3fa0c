// The compiler's one entry point: probe.ts → libbpf ELF object, with the programs it holds and
// where the time went. Pass order: load + type-check (TypeScript) → find programs → lower to
// LLVM IR → libLLVM (O2 + BPF codegen). An object cache keyed by everything that affects the
// output lets `tsbpf run` skip all of it for an unchanged file.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { cacheDir, writeAtomic } from "./cache-dir.js";
import { TsbpfError } from "./diagnostics.js";
import { packageRoot, packageVersion } from "./paths.js";

export { TsbpfError } from "./diagnostics.js";
import type { ParamLayout } from "./lower/params.js";
export type { ParamLayout } from "./lower/params.js";

export interface ProgramInfo {
  name: string;
  kind: string;
  target: string;
  section: string;
  line: number;
  column: number;
  /** Where the target (e.g. the tracepoint's name) is written in the source. */
  targetAt: { line: number; column: number; length: number };
}

export interface CompileOptions {
  cpu?: "v1" | "v2" | "v3";
  /** Reuse and store objects in the cache (default true). */
  cache?: boolean;
  /** Keep the LLVM IR text in the result (implies no cache read). */
  emitLLVM?: boolean;
}

export interface CompileResult {
  file: string;
  object: Buffer;
  programs: ProgramInfo[];
  /** Load-time parameters and where they live in the `.rodata.params` map. */
  params: ParamLayout[];
  ir?: string;
  cached: boolean;
  /** Milliseconds per phase. */
  timings: Record<string, number>;
}

export function compile(file: string, opts: CompileOptions = {}): CompileResult {
  const t0 = performance.now();
  const fileName = resolve(file);
  const useCache = opts.cache !== false && !opts.emitLLVM;
  let key: string | undefined;
  if (useCache) {
    key = cacheKey(fileName, opts);
    const hit = key ? readCache(key) : undefined;
    if (hit) return { file: fileName, ...hit, cached: true, timings: { cache: performance.now() - t0 } };
  }
  const result = compileUncached(fileName, opts);
  result.timings.cache = performance.now() - t0 - Object.values(result.timings).reduce((a, b) => a + b, 0);
  if (key) writeCache(key, result);
  return result;
}

function compileUncached(fileName: string, opts: CompileOptions): CompileResult {
  const timings: Record<string, number> = {};
  const phase = <T>(name: string, f: () => T): T => {
    const t = performance.now();
    try {
      return f();
    } finally {
      timings[name] = (timings[name] ?? 0) + performance.now() - t;
    }
  };
  // Loaded on demand: a cached run never pays for TypeScript or LLVM.
  const { loadProbeProgram } = require("./frontend/program.js") as typeof import("./frontend/program.js");
  const { scanModule } = require("./frontend/module-scan.js") as typeof import("./frontend/module-scan.js");
  const { lowerModule } = require("./lower/module.js") as typeof import("./lower/module.js");
  const { loadLibLLVM, preloadLibLLVM } = require("./llvm/libllvm.js") as typeof import("./llvm/libllvm.js");
  const { irToObject, LLVMError } = require("./llvm/codegen.js") as typeof import("./llvm/codegen.js");
  const { saveTypeScriptCodeCache } = require("./frontend/typescript-loader.js") as typeof import("./frontend/typescript-loader.js");
  const { lineColumn } = require("./frontend/spans.js") as typeof import("./frontend/spans.js");

  preloadLibLLVM();
  const p = phase("typescript", () => loadProbeProgram(fileName));
  const { checkSubset } = require("./frontend/subset.js") as typeof import("./frontend/subset.js");
  const decls = phase("typescript", () => scanModule(p));
  phase("typescript", () => checkSubset(p, decls));
  if (decls.programs.length === 0)
    throw new TsbpfError("declares no BPF program", {
      subject: fileName,
      hint: 'declare one at the top level, e.g. export const hello = tracepoint("syscalls/sys_enter_syncfs", () => { printk("hi"); });',
    });
  const llvm = phase("llvm", () => loadLibLLVM());
  const { ir, params } = phase("lower", () => lowerModule(p, decls, { opaquePointers: llvm.opaquePointers }));
  let object: Buffer;
  try {
    const out = irToObject(ir, { cpu: opts.cpu });
    object = out.object;
    timings.llvm += out.timings.parse + out.timings.optimize + out.timings.emit;
  } catch (e) {
    if (e instanceof LLVMError) throw new Error(`internal compiler error: ${e.message}\n--- IR ---\n${e.ir}`);
    throw e;
  }
  saveTypeScriptCodeCache();
  const programs = decls.programs.map((d) => ({
    name: d.name,
    kind: d.kind,
    target: d.target,
    section: d.section,
    ...lineColumn(d.declaration),
    targetAt: { ...lineColumn(d.targetNode), length: d.targetNode.getWidth() },
  }));
  return { file: fileName, object, programs, params, ir: opts.emitLLVM ? ir : undefined, cached: false, timings };
}

// ── Object cache ───────────────────────────────────────────────────────────────────────────

let fingerprint: string | undefined;

/** Identifies this build of the compiler and its declarations, from file sizes and times. */
function compilerFingerprint(): string {
  if (fingerprint) return fingerprint;
  const h = createHash("sha256").update(packageVersion);
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (/\.(js|d\.ts)$/.test(e)) h.update(`${path}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  walk(__dirname);
  walk(join(packageRoot, "stdlib"));
  return (fingerprint = h.digest("hex"));
}

function cacheKey(fileName: string, opts: CompileOptions): string | undefined {
  let source: Buffer;
  try {
    source = readFileSync(fileName);
  } catch {
    return undefined; // the uncached path reports the missing file properly
  }
  return createHash("sha256")
    .update(compilerFingerprint())
    .update(`\0${fileName}\0${opts.cpu ?? "v3"}\0${process.env.TSBPF_LIBLLVM ?? ""}\0`)
    .update(source)
    .digest("hex")
    .slice(0, 32);
}

function readCache(key: string): { object: Buffer; programs: ProgramInfo[]; params: ParamLayout[] } | undefined {
  const dir = cacheDir("objects");
  try {
    const meta = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as { programs: ProgramInfo[]; params: ParamLayout[] };
    return { object: readFileSync(join(dir, `${key}.bpf.o`)), programs: meta.programs, params: meta.params };
  } catch {
    return undefined;
  }
}

function writeCache(key: string, r: CompileResult): void {
  const dir = cacheDir("objects");
  writeAtomic(join(dir, `${key}.bpf.o`), r.object);
  writeAtomic(join(dir, `${key}.json`), JSON.stringify({ programs: r.programs, params: r.params }));
}
