// The compiler's one entry point: probe.ts → libbpf ELF object, with the programs it holds and
// where the time went. Pass order: load + type-check (TypeScript) → find programs → lower to
// LLVM IR → libLLVM (O2 + BPF codegen). An object cache keyed by everything that affects the
// output lets `tsbpf run` skip all of it for an unchanged file.

import { resolve } from "node:path";
import { TsbpfError } from "../contract/errors.js";
import { cacheKey, readCache, writeCache } from "./object-cache.js";
import { readProbeSource } from "./source-file.js";

export { TsbpfError } from "../contract/errors.js";
import { plainCType } from "../contract/c-layout.js";
export type { CompiledObject, ParamLayout, ProgramInfo } from "../contract/manifest.js";
import type { CompileOptions, CompileResult } from "./compile-options.js";
export type { CompileOptions, CompileResult } from "./compile-options.js";

export function compile(file: string, opts: CompileOptions = {}): CompileResult {
  return cached(file, opts, (fileName, source) => {
    const prepared = prepare(fileName, source, opts, false);
    const out = codegen(prepared, () => prepared.llvm.irToObject(prepared.lowered.text(), { cpu: opts.cpu }));
    prepared.timings.llvm = (prepared.timings.llvm ?? 0) + out.timings.parse + out.timings.optimize + out.timings.emit;
    return finish(prepared, out.object, 1);
  });
}

/**
 * As compile(), with LLVM's work on other threads: each part of the module goes to LLVM as soon
 * as it is lowered, and TypeScript finishes checking the file meanwhile (type errors still come
 * first; the object is then thrown away). With `snapshot`, in a process started from the
 * compiler's start-up snapshot where there is one (snapshot/compiler-snapshot.ts, D156).
 */
export async function compileAsync(file: string, opts: CompileOptions = {}): Promise<CompileResult> {
  return cached(file, opts, async (fileName, source) => {
    if (!opts.snapshot) return buildAsync(fileName, source, opts);
    const text = source ?? readProbeSource(fileName).toString("utf8");
    const snapshot = require("./snapshot/compiler-snapshot.js") as typeof import("./snapshot/compiler-snapshot.js");
    const served = await snapshot.compileInSnapshot(fileName, text, opts);
    if (served) {
      // The compiler's process, less the phases it timed: its start-up and the answer's way here.
      served.result.timings.snapshot = served.ms - criticalPath(served.result.timings);
      return served.result;
    }
    const built = await buildAsync(fileName, text, opts);
    if (opts.snapshot === "at-exit") snapshotPending = true;
    else snapshot.afterBuildInProcess();
    return built;
  });
}

/** A `snapshot: "at-exit"` build ran in this process and may make the snapshot. */
let snapshotPending = false;

/**
 * After a `snapshot: "at-exit"` build in this process, when the caller's work is done: makes the
 * compiler's start-up snapshot if that build would have (a second or two, once per build of the
 * compiler; `onStart` is told first); whether it did.
 */
export function makePendingSnapshot(onStart?: () => void): boolean {
  if (!snapshotPending) return false;
  snapshotPending = false;
  return (require("./snapshot/compiler-snapshot.js") as typeof import("./snapshot/compiler-snapshot.js")).afterBuildInProcess(onStart);
}

/** compileAsync's build in this process, of `source` (the file's text) if given. */
export async function buildAsync(fileName: string, source: string | undefined, opts: CompileOptions): Promise<CompileResult> {
  let parts: import("./llvm/codegen.js").PartsCodegen | undefined;
  let prepared: Prepared;
  try {
    prepared = prepare(fileName, source, opts, true, (llvm, count) => {
      parts = new llvm.PartsCodegen({ cpu: opts.cpu, expectedParts: count });
      return { parts: count, onPart: (ir) => parts!.add(ir) };
    });
  } catch (e) {
    parts?.finish().catch(() => undefined); // parts handed over before the error: dropped
    throw e;
  }
  const pending = parts!.finish();
  try {
    prepared.phase("typescript", () => prepared.p.checkTypes());
  } catch (e) {
    pending.catch(() => undefined); // abandoned: its contexts are freed when it finishes
    throw e;
  }
  const waitFrom = performance.now();
  const out = await codegenAsync(prepared, pending);
  // One part is the object: libbpf's linker (and libbpf itself, in the compiler's process) only for several.
  const object = out.objects.length === 1 ? out.objects[0] : (require("./object-link.js") as typeof import("./object-link.js")).linkObjects(out.objects);
  prepared.timings.llvm = (prepared.timings.llvm ?? 0) + performance.now() - waitFrom;
  // Parts are parsed as they arrive, on the main thread: that time is in "lower".
  prepared.timings["llvm.bg"] = out.timings.optimize + out.timings.emit;
  return finish(prepared, object, out.objects.length);
}

/**
 * Parts for LLVM: one per core (at most 4) for a large file of several programs, else one;
 * always one where libbpf, whose linker joins the parts' objects, is not installed.
 */
function partsFor(text: string, programs: number, requested: number | undefined, kernelStructs: boolean): number {
  // LLVM's BPF CO-RE pass keeps its relocation globals in a map shared by every module of the
  // process (BPFAbstractMemberAccess::GEPGlobals, static): two threads building modules that read
  // kernel structs would race on it (D131). One part, one thread.
  if (kernelStructs) return 1;
  const { availableParallelism } = require("node:os") as typeof import("node:os");
  const wanted =
    requested !== undefined ? Math.min(requested, programs) : programs < 2 || text.length < 16_000 ? 1 : Math.min(programs, 4, Math.max(2, availableParallelism()));
  if (wanted < 2) return 1;
  const { canLink } = require("./object-link.js") as typeof import("./object-link.js");
  return canLink() ? wanted : 1;
}

/** Looks the object up in the cache, or builds it and stores it there. */
function cached<R extends CompileResult | Promise<CompileResult>>(file: string, opts: CompileOptions, build: (fileName: string, source?: string) => R): R {
  const t0 = performance.now();
  const fileName = resolve(file);
  const useCache = opts.cache !== false && !opts.emitLLVM;
  const keyed = useCache ? cacheKey(fileName, opts) : undefined;
  const key = keyed?.key;
  const hit = key && opts.cache !== "refresh" ? readCache(key) : undefined;
  if (hit) return { file: fileName, ...hit, cached: true, timings: { cache: performance.now() - t0 } } as unknown as R;
  const store = (result: CompileResult): CompileResult => {
    result.timings.cache = performance.now() - t0 - criticalPath(result.timings);
    if (key) writeCache(key, result);
    return result;
  };
  const r = build(fileName, keyed?.source);
  return (r instanceof Promise ? r.then(store) : store(r as CompileResult)) as R;
}

/**
 * Writes what `tsbpf build` produced (output-file.ts): part of the compile entry, so that the CLI
 * reaches the compiler only through this file (D76), and loaded by a build only.
 */
export const writeOutput: typeof import("./output-file.js").writeOutput = (...args) =>
  (require("./output-file.js") as typeof import("./output-file.js")).writeOutput(...args);

/** The sum of phase times that were not overlapped by others (".bg" phases ran alongside). */
export function criticalPath(timings: Record<string, number>): number {
  return Object.entries(timings).reduce((a, [k, v]) => (k.endsWith(".bg") ? a : a + v), 0);
}

interface Prepared {
  opts: CompileOptions;
  p: import("./frontend/checked-source.js").CheckedSource;
  decls: import("./frontend/module-model.js").ModuleModel;
  lowered: import("./lower/module-lowerer.js").LoweredModule;
  timings: Record<string, number>;
  phase: <T>(name: string, f: () => T) => T;
  llvm: typeof import("./llvm/codegen.js");
}

type Codegen = typeof import("./llvm/codegen.js");

/**
 * Everything before LLVM: load and check, find the programs, check the subset, lower to IR
 * (handed in parts to what `sink` makes, if given).
 */
function prepare(
  fileName: string,
  source: string | undefined,
  opts: CompileOptions,
  deferTypeErrors: boolean,
  sink?: (llvm: Codegen, parts: number) => import("./lower/module-lowerer.js").PartSink,
): Prepared {
  const timings: Record<string, number> = {};
  const phase = <T>(name: string, f: () => T): T => {
    const t = performance.now();
    try {
      return f();
    } finally {
      timings[name] = (timings[name] ?? 0) + performance.now() - t;
    }
  };
  const text = source ?? readProbeSource(fileName).toString("utf8");
  // Loaded on demand: a cached run never pays for TypeScript or LLVM (nor node:v8).
  const { loadCheckedSource } = require("./frontend/checked-source.js") as typeof import("./frontend/checked-source.js");
  const { probeKernelDeclarations } = require("./kernel/kernel-declarations.js") as typeof import("./kernel/kernel-declarations.js");
  const { buildModuleModel } = require("./frontend/module-model.js") as typeof import("./frontend/module-model.js");
  const { lowerModule } = require("./lower/module-lowerer.js") as typeof import("./lower/module-lowerer.js");
  const { loadLibLLVM, preloadLibLLVM } = require("./llvm/libllvm.js") as typeof import("./llvm/libllvm.js");
  const llvm = require("./llvm/codegen.js") as typeof import("./llvm/codegen.js");

  preloadLibLLVM();
  // The kernel's types before V8's optimiser is switched off: reading and naming 100,000 BTF
  // types is a few hot loops, 3× slower unoptimised.
  const kernel = phase("kernel", () => probeKernelDeclarations(fileName, text));
  // Before TypeScript is loaded: V8's flags are part of its code cache's key (v8-tuning.ts).
  if (opts.tuneV8) (require("./v8-tuning.js") as typeof import("./v8-tuning.js")).tuneV8ForBuild(text.length);
  const p = phase("typescript", () => loadCheckedSource(fileName, { deferTypeErrors, source: text, kernel }));
  try {
    // Every error the frontend finds, at once (the model is built only for a file without any).
    const decls = phase("typescript", () => buildModuleModel(p));
    if (decls.programs.length === 0)
      throw new TsbpfError("declares no BPF program", {
        subject: fileName,
        hint: 'declare one at the top level, e.g. export const hello = tracepoint("syscalls/sys_enter_syncfs", () => { printk("hi"); });',
      });
    const lib = phase("llvm", () => loadLibLLVM());
    const partSink = sink && phase("llvm", () => sink(llvm, partsFor(p.text, decls.programs.length, opts.parts, p.kernel?.btf !== undefined)));
    const lowered = phase("lower", () => lowerModule(p, decls, { opaquePointers: lib.opaquePointers }, partSink));
    return { opts, p, decls, lowered, timings, phase, llvm };
  } catch (e) {
    // A file with type errors can trip the later passes: TypeScript's own errors say it better.
    phase("typescript", () => p.checkTypes());
    const { isStackOverflow, stackOverflowError } = require("./frontend/nesting.js") as typeof import("./frontend/nesting.js");
    throw isStackOverflow(e) ? stackOverflowError(p.ts, p.source) : e;
  }
}

type CodegenResult = import("./llvm/codegen.js").CodegenResult;

function codegen(prepared: Prepared, run: () => CodegenResult): CodegenResult {
  try {
    return run();
  } catch (e) {
    throw internalError(prepared, e);
  }
}

async function codegenAsync<T>(prepared: Prepared, pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (e) {
    throw internalError(prepared, e);
  }
}

function internalError(prepared: Prepared, e: unknown): unknown {
  // LLVM's backend errors (a limit the probe went past) are reported at the line they name.
  if (e instanceof prepared.llvm.LLVMDiagnosticsError) return e.toTsbpfError(prepared.p.fileName, prepared.p.text);
  return e instanceof prepared.llvm.LLVMError ? new Error(`internal compiler error: ${e.message}\n--- IR ---\n${e.ir}`) : e;
}

/** The result, once the object is built and LLVM's timings are in (see compile, compileAsync). */
function finish(prepared: Prepared, object: Buffer, parts: number): CompileResult {
  const { lineColumn } = require("./frontend/spans.js") as typeof import("./frontend/spans.js");
  const { saveTypeScriptCodeCache } = require("./frontend/typescript-loader.js") as typeof import("./frontend/typescript-loader.js");
  const { dropsMapName } = require("./maps/ring-buf.js") as typeof import("./maps/ring-buf.js");
  const { handlerParameters } = require("./frontend/handler-parameters.js") as typeof import("./frontend/handler-parameters.js");
  const { timings } = prepared;
  saveTypeScriptCodeCache();
  // Written under the flags it was read under; Node's own modules load fast again from here.
  if (prepared.opts.tuneV8) (require("./v8-tuning.js") as typeof import("./v8-tuning.js")).restoreV8Flags();
  const programs = prepared.decls.programs.map((d) => ({
    name: d.name,
    kind: d.kind.name,
    target: d.target,
    section: d.section,
    ...lineColumn(d.declaration),
    targetAt: { ...lineColumn(d.targetNode), length: d.targetNode.getWidth() },
    ...(d.alternatives && { alternatives: d.alternatives }),
    ...(d.optional && { optional: true }),
    ...(d.kind.parameters?.manifest && { parameters: handlerParameters(prepared.p, d.handler) }),
  }));
  return {
    file: prepared.p.fileName,
    object,
    programs,
    params: prepared.lowered.params,
    ...(prepared.lowered.printf && { printf: prepared.lowered.printf }),
    ...(prepared.lowered.printk && { printk: true }),
    ...(prepared.lowered.stacks && { stacks: prepared.lowered.stacks }),
    maps: prepared.decls.maps.map((d) => ({
      name: d.name,
      kind: d.kind.name,
      key: plainCType(d.key),
      value: plainCType(d.value),
      maxEntries: d.maxEntries,
      exported: d.exported,
      keyless: d.keyless,
      ...(d.kind.stream?.countsDrops && { drops: dropsMapName(d.name) }),
      ...(d.linear && { linear: d.linear }),
      ...lineColumn(d.binding),
    })),
    ir: prepared.opts.emitLLVM ? prepared.lowered.text() : undefined,
    cached: false,
    parts,
    timings,
  };
}
