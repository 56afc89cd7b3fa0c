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
import type { CompileOptions, CompileResult, LoweredSink, LoweringTarget } from "./compile-options.js";
export type { CompileOptions, CompileResult } from "./compile-options.js";
import type { PointerMode } from "./ir/ir-types.js";
import { canLink, generate, generated, joinParts, startLLVM } from "./llvm/build-object.js";
import { criticalPath } from "./compile-options.js";
export { criticalPath } from "./compile-options.js";

export function compile(file: string, opts: CompileOptions = {}): CompileResult {
  return cached(file, opts, (fileName, source) => {
    const llvm = startLLVM();
    const prepared = prepare(fileName, source, opts, false, loweringForThisProcess());
    const out = generate(llvm, prepared.p, () => llvm.irToObject(prepared.lowered.text(), { cpu: opts.cpu }));
    prepared.timings.llvm = (prepared.timings.llvm ?? 0) + out.timings.parse + out.timings.optimize + out.timings.emit;
    return { ...manifest(prepared, 1), object: out.object };
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
    if (served) return served;
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
  const llvm = startLLVM();
  let parts: import("./llvm/codegen.js").PartsCodegen | undefined;
  let prepared: Prepared;
  try {
    prepared = prepare(fileName, source, opts, true, {
      ...loweringForThisProcess(),
      parts: (count) => {
        parts = new llvm.PartsCodegen({ cpu: opts.cpu, expectedParts: count });
        return { parts: count, onPart: (ir) => parts!.add(ir) };
      },
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
  const out = await generated(llvm, prepared.p, pending);
  const object = joinParts(out.objects);
  prepared.timings.llvm = (prepared.timings.llvm ?? 0) + performance.now() - waitFrom;
  // Parts are parsed as they arrive, on the main thread: that time is in "lower".
  prepared.timings["llvm.bg"] = out.timings.optimize + out.timings.emit;
  return { ...manifest(prepared, out.objects.length), object };
}

/**
 * The compiler's process's build (snapshot/compile-server.ts): everything up to LLVM, for an LLVM
 * that reads `target`'s pointers. Each part of the IR goes to `sink` as soon as it is lowered, and
 * the result before the file's types are checked: the CLI's process compiles the parts meanwhile
 * (D200), and a type error (thrown here) discards that object, as buildAsync's. The build's
 * timings, the check's among them.
 */
export function lowerForCodegen(fileName: string, source: string, opts: CompileOptions, target: LoweringTarget, sink: LoweredSink): Record<string, number> {
  let sent = 0;
  const prepared = prepare(fileName, source, opts, true, {
    pointers: () => target,
    linkable: () => target.linkable,
    parts: (count) => ({
      parts: count,
      onPart: (ir) => {
        sent++;
        sink.part(ir, count);
      },
    }),
  });
  sink.lowered(manifest(prepared, sent));
  prepared.phase("typescript", () => prepared.p.checkTypes());
  return prepared.timings;
}

/** Lowering for LLVM in this process: the pointers of the library loaded (waiting for it, if it is loading). */
function loweringForThisProcess(): Lowering {
  return { pointers: () => (require("./llvm/libllvm.js") as typeof import("./llvm/libllvm.js")).loadLibLLVM(), linkable: canLink };
}

/**
 * Parts for LLVM: one per core (at most 4) for a large file of several programs, else one;
 * always one where libbpf, whose linker joins the parts' objects, is not installed.
 */
function partsFor(text: string, programs: number, requested: number | undefined, kernelStructs: boolean, linkable: () => boolean): number {
  // LLVM's BPF CO-RE pass keeps its relocation globals in a map shared by every module of the
  // process (BPFAbstractMemberAccess::GEPGlobals, static): two threads building modules that read
  // kernel structs would race on it (D131). One part, one thread.
  if (kernelStructs) return 1;
  const { availableParallelism } = require("node:os") as typeof import("node:os");
  const wanted =
    requested !== undefined ? Math.min(requested, programs) : programs < 2 || text.length < 16_000 ? 1 : Math.min(programs, 4, Math.max(2, availableParallelism()));
  if (wanted < 2) return 1;
  return linkable() ? wanted : 1;
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

interface Prepared {
  opts: CompileOptions;
  p: import("./frontend/checked-source.js").CheckedSource;
  decls: import("./frontend/module-model.js").ModuleModel;
  lowered: import("./lower/module-lowerer.js").LoweredModule;
  timings: Record<string, number>;
  phase: <T>(name: string, f: () => T) => T;
}

/** What lowering writes for, and where its IR goes. */
interface Lowering {
  /** The pointers of the LLVM that compiles the IR. */
  pointers: () => PointerMode;
  /** Whether libbpf can link a module built in parts (partsFor). */
  linkable: () => boolean;
  /** Takes the module's parts as each is lowered, told first how many there are. */
  parts?: (count: number) => import("./lower/module-lowerer.js").PartSink;
}

/**
 * Everything before LLVM: load and check, find the programs, check the subset, lower to IR for
 * `lowering`'s LLVM (handed over in parts, if it takes them).
 */
function prepare(
  fileName: string,
  source: string | undefined,
  opts: CompileOptions,
  deferTypeErrors: boolean,
  lowering: Lowering,
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
    const pointers = phase("llvm", lowering.pointers);
    const partSink = lowering.parts && phase("llvm", () => lowering.parts!(partsFor(p.text, decls.programs.length, opts.parts, p.kernel?.btf !== undefined, lowering.linkable)));
    const lowered = phase("lower", () => lowerModule(p, decls, { opaquePointers: pointers.opaquePointers }, partSink));
    return { opts, p, decls, lowered, timings, phase };
  } catch (e) {
    // A file with type errors can trip the later passes: TypeScript's own errors say it better.
    phase("typescript", () => p.checkTypes());
    const { isStackOverflow, stackOverflowError } = require("./frontend/nesting.js") as typeof import("./frontend/nesting.js");
    throw isStackOverflow(e) ? stackOverflowError(p.ts, p.source) : e;
  }
}

/** The result but its object, once the build is over (LLVM's, or lowering's in the compiler's process). */
function manifest(prepared: Prepared, parts: number): Omit<CompileResult, "object"> {
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
