// LLVM IR text → BPF ELF object, in memory: parse, the O2 pipeline (which hosts the BPF CO-RE
// passes; plain llc would skip them), then BPF code generation — for a whole module, or for
// each part of one on its own thread.

import koffi from "koffi";
import { loadLibLLVM, takeMessage, type LibLLVM } from "./libllvm.js";
import { DEFAULT_CPU } from "../compile-options.js";
import { nativeDiagnosticHandler } from "./native-diagnostics.js";
import { collectDiagnostics, installFatalErrorHandler, LLVMDiagnosticsError, type DiagnosticSink } from "./llvm-errors.js";
export { LLVMDiagnosticsError } from "./llvm-errors.js";
import { legalizeMemoryIntrinsics } from "./mem-intrinsics.js";

export interface CodegenOptions {
  /** BPF ISA version: v3 has 32-bit sub-registers and jumps (kernel ≥ 5.1). */
  cpu?: "v1" | "v2" | "v3" | "v4";
}

/** LLVM's O2 pipeline, which hosts the BPF CO-RE passes. */
const PASSES = "default<O2>";

export interface CodegenResult {
  object: Buffer;
  timings: { parse: number; optimize: number; emit: number };
}

/** An internal error: the IR we generated is wrong. Never a user mistake. */
export class LLVMError extends Error {
  constructor(
    message: string,
    readonly ir: string,
  ) {
    super(message);
  }
}

/** Target machines not in use, by cpu. */
const idleMachines = new Map<string, bigint[]>();

/**
 * A target machine for one part, used by nobody else until `release`: a machine is not safe to
 * share between threads, and a compile that failed may leave its parts running on their threads
 * while the next compile starts (a machine shared by "slot" crashed the process then, in
 * long-lived processes: the fuzzer's class 9).
 */
function acquireMachine(llvm: LibLLVM, cpu: string): { tm: bigint; release(): void } {
  const idle = idleMachines.get(cpu) ?? [];
  idleMachines.set(cpu, idle);
  const tm = idle.pop() ?? createMachine(llvm, cpu);
  let released = false;
  return {
    tm,
    release: () => {
      if (!released) idle.push(tm);
      released = true;
    },
  };
}

function createMachine(llvm: LibLLVM, cpu: string): bigint {
  llvm.fn.initTargetInfo();
  llvm.fn.initTarget();
  llvm.fn.initTargetMC();
  llvm.fn.initAsmPrinter();
  llvm.fn.initAsmParser(); // inline assembly (division, arith.ts) goes through it
  const t = [0n];
  const err = [0n];
  if (llvm.fn.targetFromTriple("bpfel", t, err)) throw new Error(`libLLVM has no BPF target: ${takeMessage(llvm, err[0])}`);
  return llvm.fn.createTargetMachine(t[0], "bpfel", cpu, "", 2 /* Default */, 0, 0);
}

const now = () => performance.now();

/**
 * A call into libLLVM. `heavy` ones run off the main thread when the caller can wait; the
 * others run at once: a step that waits for a thread also waits for the main thread to be
 * free to start the next one, and the main thread is busy lowering and type-checking.
 */
interface Heavy {
  fn: (...args: any[]) => any;
  args: unknown[];
  heavy?: boolean;
  /**
   * Code generation, where the BPF backend reports its errors through the diagnostic handler:
   * on a thread only with the native handler (a koffi callback there corrupted the heap, D48).
   */
  reportsErrors?: boolean;
}

type Steps<T> = Generator<Heavy, T, any>;

/** A module in its own context, parsed, checked and optimised. */
interface Optimized {
  ctx: bigint;
  mod: bigint;
  /** The errors LLVM reports on the context instead of exiting (llvm-errors.ts). */
  diagnostics: DiagnosticSink;
  timings: { parse: number; optimize: number };
}

/** LLVM's errors on the context so far, as one error. */
function throwDiagnostics(diagnostics: DiagnosticSink, ir: string): void {
  const errors = diagnostics.errors();
  if (errors.length) throw new LLVMDiagnosticsError([...errors], ir);
}

/**
 * IR text → an optimised module in a context of its own (disposed here if a step fails).
 * `nativeHandler`: LLVM's errors are recorded natively, so any step may run on a thread.
 */
function* optimize(llvm: LibLLVM, ir: string, tm: bigint, nativeHandler?: bigint): Steps<Optimized> {
  const f = llvm.fn;
  const ctx = f.contextCreate();
  const diagnostics = collectDiagnostics(llvm, ctx, nativeHandler);
  let mod = 0n;
  try {
    const t0 = now();
    const text = Buffer.from(ir, "utf8");
    const buf = f.createBufferCopy(text, text.length, "probe.ll");
    const out = [0n];
    const msg = [0n];
    if (yield { fn: f.parseIR, args: [ctx, buf, out, msg] }) throw new LLVMError(`LLVM could not parse the generated IR: ${takeMessage(llvm, msg[0])}`, ir);
    mod = out[0];
    const vmsg = [0n];
    if (yield { fn: f.verifyModule, args: [mod, 2 /* ReturnStatus */, vmsg] }) throw new LLVMError(`generated IR is invalid: ${takeMessage(llvm, vmsg[0])}`, ir);
    takeMessage(llvm, vmsg[0]);
    const t1 = now();
    const perr: bigint = yield { fn: f.runPasses, args: [mod, PASSES, tm, f.createPassBuilderOptions()], heavy: true };
    if (perr) throw new LLVMError(`LLVM passes failed: ${takeMessage(llvm, f.getErrorMessage(perr), f.disposeErrorMessage)}`, ir);
    throwDiagnostics(diagnostics, ir);
    // What O2 made of our memset and memcpy calls (merged, widened) must still be something
    // the BPF backend can expand: the rest becomes helper calls (D45).
    legalizeMemoryIntrinsics(llvm, ctx, mod, diagnostics.errors());
    throwDiagnostics(diagnostics, ir);
    return { ctx, mod, diagnostics, timings: { parse: t1 - t0, optimize: now() - t1 } };
  } catch (e) {
    if (mod) f.disposeModule(mod);
    diagnostics.close();
    f.contextDispose(ctx);
    throw e;
  }
}

/** BPF code generation of an optimised module; frees it. */
function* emit(llvm: LibLLVM, m: Optimized, tm: bigint, ir: string): Steps<{ object: Buffer; ms: number }> {
  const f = llvm.fn;
  try {
    const t0 = now();
    const err = [0n];
    const out = [0n];
    const failed = yield { fn: f.emitToMemoryBuffer, args: [tm, m.mod, 1 /* ObjectFile */, err, out], heavy: true, reportsErrors: true };
    const message = failed ? takeMessage(llvm, err[0]) : "";
    if (m.diagnostics.errors().length) {
      if (!failed) f.disposeBuffer(out[0]);
      throwDiagnostics(m.diagnostics, ir);
    }
    if (failed) throw new LLVMError(`BPF code generation failed: ${message}`, ir);
    const size = f.bufferSize(out[0]);
    const object = Buffer.from(new Uint8Array(koffi.view(f.bufferStart(out[0]), size)).slice());
    f.disposeBuffer(out[0]);
    return { object, ms: now() - t0 };
  } finally {
    free(llvm, m);
  }
}

function runSync<T>(steps: Steps<T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next(step.value.fn(...step.value.args));
  return step.value;
}

/**
 * Runs the steps with each heavy call on a libuv thread: the main thread stays free. Steps
 * that report errors stay on the main thread unless `errorsOnThreads` (a native handler).
 */
async function runAsync<T>(steps: Steps<T>, errorsOnThreads: boolean): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    const { fn, args, heavy, reportsErrors } = step.value;
    const onThread = () =>
      new Promise((resolve, reject) =>
        (fn as unknown as { async: (...a: unknown[]) => void }).async(...args, (err: unknown, r: unknown) => (err ? reject(err) : resolve(r))),
      );
    let result: unknown;
    try {
      result = !heavy || (reportsErrors && !errorsOnThreads) ? fn(...args) : await onThread();
    } catch (e) {
      step = steps.throw(e);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

/**
 * libLLVM made ready for code generation for `cpu` (bound, its fatal error handler installed, a
 * target machine made and left idle): for a process that waits for IR from elsewhere (D200).
 */
export function readyCodegen(cpu: string = DEFAULT_CPU): void {
  acquireMachine(libLLVM(), cpu).release();
}

/** The whole pipeline on one module, on the calling thread. */
export function irToObject(ir: string, opts: CodegenOptions = {}): CodegenResult {
  const llvm = libLLVM();
  const machine = acquireMachine(llvm, opts.cpu ?? DEFAULT_CPU);
  try {
    return runSync(part(llvm, ir, machine.tm));
  } finally {
    machine.release();
  }
}

function free(llvm: LibLLVM, m: Optimized): void {
  llvm.fn.disposeModule(m.mod);
  m.diagnostics.close();
  llvm.fn.contextDispose(m.ctx);
}

/** libLLVM, with tsbpf's handler for its fatal errors. */
function libLLVM(): LibLLVM {
  const llvm = loadLibLLVM();
  installFatalErrorHandler(llvm);
  return llvm;
}

/** A part: parse, O2 and code generation, in a context of its own. */
function* part(llvm: LibLLVM, ir: string, tm: bigint, nativeHandler?: bigint): Steps<CodegenResult> {
  const m = yield* optimize(llvm, ir, tm, nativeHandler);
  const { object, ms } = yield* emit(llvm, m, tm, ir);
  return { object, timings: { ...m.timings, emit: ms } };
}

export interface PartsResult {
  /** One object per part, in order: compiler/object-link.ts joins them. */
  objects: Buffer[];
  /** The threads' work, summed (parts are parsed on the main thread, as they arrive). */
  timings: { optimize: number; emit: number };
}

/**
 * Builds a module given in parts (lower/module-lowerer.ts, PartSink): each part is parsed as it
 * arrives, then optimised and compiled to an object on a thread of its own (D20).
 */
export class PartsCodegen {
  private readonly parts: Promise<CodegenResult>[] = [];
  private readonly llvm = libLLVM();
  private readonly cpu: string;
  /** The native diagnostic handler, when code generation runs on threads (several parts). */
  private readonly nativeHandler: bigint | undefined;

  /**
   * `expectedParts`: with one, code generation waits for the main thread (a few ms for a small
   * file) rather than pay for compiling the native diagnostic handler (≈ 20 ms, once).
   */
  constructor(opts: CodegenOptions & { expectedParts?: number } = {}) {
    this.cpu = opts.cpu ?? DEFAULT_CPU;
    this.nativeHandler = (opts.expectedParts ?? 2) > 1 ? (nativeDiagnosticHandler(this.llvm) ?? undefined) : undefined;
  }

  add(ir: string): void {
    const machine = acquireMachine(this.llvm, this.cpu);
    const built = runAsync(part(this.llvm, ir, machine.tm, this.nativeHandler), this.nativeHandler !== undefined);
    // Back to the pool only once the part's thread is done with it, however the compile ended.
    built.then(machine.release, machine.release);
    built.catch(() => undefined); // reported by finish(); each part frees its own LLVM state
    this.parts.push(built);
  }

  async finish(): Promise<PartsResult> {
    const done = await Promise.all(this.parts);
    if (!done.length) throw new Error("internal compiler error: no IR to compile");
    const sum = (k: "optimize" | "emit") => done.reduce((a, d) => a + d.timings[k], 0);
    return { objects: done.map((d) => d.object), timings: { optimize: sum("optimize"), emit: sum("emit") } };
  }
}
