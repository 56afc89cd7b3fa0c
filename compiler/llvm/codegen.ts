// LLVM IR text → BPF ELF object, in memory: parse, the O2 pipeline (which hosts the BPF CO-RE
// passes; plain llc would skip them), then BPF code generation.

import koffi from "koffi";
import { loadLibLLVM, takeMessage, type LibLLVM } from "./libllvm.js";

export interface CodegenOptions {
  /** BPF ISA version: v3 has 32-bit sub-registers and jumps (kernel ≥ 5.1). */
  cpu?: "v1" | "v2" | "v3" | "v4";
  /** `default<O2>` unless told otherwise. */
  passes?: string;
}

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

const machines = new Map<string, bigint>();

function targetMachine(llvm: LibLLVM, cpu: string): bigint {
  let tm = machines.get(cpu);
  if (tm) return tm;
  llvm.fn.initTargetInfo();
  llvm.fn.initTarget();
  llvm.fn.initTargetMC();
  llvm.fn.initAsmPrinter();
  llvm.fn.initAsmParser(); // inline assembly (division, arith.ts) goes through it
  const t = [0n];
  const err = [0n];
  if (llvm.fn.targetFromTriple("bpfel", t, err)) throw new Error(`libLLVM has no BPF target: ${takeMessage(llvm, err[0])}`);
  tm = llvm.fn.createTargetMachine(t[0], "bpfel", cpu, "", 2 /* Default */, 0, 0);
  machines.set(cpu, tm);
  return tm;
}

const now = () => performance.now();

/** A call into libLLVM heavy enough to run off the main thread when the caller can wait. */
interface Heavy {
  fn: (...args: any[]) => any;
  args: unknown[];
}

/** The pipeline, yielding its two heavy steps (O2, code generation) to a driver. */
function* pipeline(ir: string, opts: CodegenOptions): Generator<Heavy, CodegenResult, any> {
  const llvm = loadLibLLVM();
  const f = llvm.fn;
  const tm = targetMachine(llvm, opts.cpu ?? "v3");
  const ctx = f.contextCreate();
  try {
    const t0 = now();
    const text = Buffer.from(ir, "utf8");
    const buf = f.createBufferCopy(text, text.length, "probe.ll");
    const mod = [0n];
    const msg = [0n];
    if (f.parseIR(ctx, buf, mod, msg)) throw new LLVMError(`LLVM could not parse the generated IR: ${takeMessage(llvm, msg[0])}`, ir);
    try {
      const vmsg = [0n];
      if (f.verifyModule(mod[0], 2 /* ReturnStatus */, vmsg)) throw new LLVMError(`generated IR is invalid: ${takeMessage(llvm, vmsg[0])}`, ir);
      takeMessage(llvm, vmsg[0]);
      const t1 = now();
      const popts = f.createPassBuilderOptions();
      const perr: bigint = yield { fn: f.runPasses, args: [mod[0], opts.passes ?? "default<O2>", tm, popts] };
      if (perr) throw new LLVMError(`LLVM passes failed: ${takeMessage(llvm, f.getErrorMessage(perr), f.disposeErrorMessage)}`, ir);
      const t2 = now();
      const err = [0n];
      const out = [0n];
      const failed: number = yield { fn: f.emitToMemoryBuffer, args: [tm, mod[0], 1 /* ObjectFile */, err, out] };
      if (failed) throw new LLVMError(`BPF code generation failed: ${takeMessage(llvm, err[0])}`, ir);
      const size = f.bufferSize(out[0]);
      const object = Buffer.from(new Uint8Array(koffi.view(f.bufferStart(out[0]), size)).slice());
      f.disposeBuffer(out[0]);
      const t3 = now();
      return { object, timings: { parse: t1 - t0, optimize: t2 - t1, emit: t3 - t2 } };
    } finally {
      f.disposeModule(mod[0]);
    }
  } finally {
    f.contextDispose(ctx);
  }
}

export function irToObject(ir: string, opts: CodegenOptions = {}): CodegenResult {
  const gen = pipeline(ir, opts);
  let step = gen.next();
  while (!step.done) step = gen.next(step.value.fn(...step.value.args));
  return step.value;
}

/**
 * The same, with O2 and code generation on a libuv thread: the caller's JavaScript (the rest of
 * TypeScript's checking) runs meanwhile. One module, one LLVM context: no sharing between threads.
 */
export async function irToObjectAsync(ir: string, opts: CodegenOptions = {}): Promise<CodegenResult> {
  const gen = pipeline(ir, opts);
  let step = gen.next();
  while (!step.done) {
    const { fn, args } = step.value;
    const result = await new Promise((resolve, reject) =>
      (fn as unknown as { async: (...a: unknown[]) => void }).async(...args, (err: unknown, r: unknown) => (err ? reject(err) : resolve(r))),
    );
    step = gen.next(result);
  }
  return step.value;
}
