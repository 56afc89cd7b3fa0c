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

export function irToObject(ir: string, opts: CodegenOptions = {}): CodegenResult {
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
      const perr = f.runPasses(mod[0], opts.passes ?? "default<O2>", tm, popts);
      if (perr) throw new LLVMError(`LLVM passes failed: ${takeMessage(llvm, f.getErrorMessage(perr), f.disposeErrorMessage)}`, ir);
      const t2 = now();
      const err = [0n];
      const out = [0n];
      if (f.emitToMemoryBuffer(tm, mod[0], 1 /* ObjectFile */, err, out)) throw new LLVMError(`BPF code generation failed: ${takeMessage(llvm, err[0])}`, ir);
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
