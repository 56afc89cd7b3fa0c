// LLVM's diagnostic handler in native code. Parts of a module are compiled on libuv's threads
// (D20), and LLVM calls its diagnostic handler on the thread that compiles. A koffi callback
// there is marshalled to the main thread, and doing so corrupted the heap here (1 run in 4 of
// two erroring parts ended in a segfault or "corrupted size vs. prev_size"; with a native
// handler, none in dozens). So the handler is a few lines of LLVM IR, compiled for this machine
// by LLVM's own JIT once per process: it records each error's description in a buffer that the
// main thread reads when the step is over (D48).

import koffi from "koffi";
import { takeMessage, type LibLLVM } from "./libllvm.js";

/** Errors recorded per context; more are counted, not kept (one is enough to refuse). */
const SLOTS = 16;
/** The record, in 64-bit words: [0] errors reported, then the description (char *) of each. */
export const RECORD_BYTES = 8 * (1 + SLOTS);

/** LLVM's names for the host's target, where tsbpf knows them. */
const HOST_TARGETS: Record<string, string> = { x64: "X86", arm64: "AArch64" };

let handler: bigint | null | undefined;

/**
 * The native handler's address, compiled on first use; null where this machine's target is not
 * in libLLVM or the JIT fails (codegen.ts then keeps LLVM's error-reporting steps on the main
 * thread, where a koffi callback is safe).
 */
export function nativeDiagnosticHandler(llvm: LibLLVM): bigint | null {
  if (handler === undefined) {
    try {
      handler = compileHandler(llvm);
    } catch {
      handler = null;
    }
  }
  return handler;
}

function compileHandler(llvm: LibLLVM): bigint | null {
  const target = HOST_TARGETS[process.arch];
  if (!target) return null;
  const lib = koffi.load(llvm.path);
  const fn = <T>(decl: string) => lib.func(decl) as unknown as T;
  for (const part of ["TargetInfo", "Target", "TargetMC", "AsmPrinter"]) fn<() => void>(`void LLVMInitialize${target}${part}()`)();
  const orc = {
    createJIT: fn<(jit: bigint[], builder: null) => bigint | null>("void *LLVMOrcCreateLLJIT(_Out_ void **jit, void *builder)"),
    newContext: fn<() => bigint>("void *LLVMOrcCreateNewThreadSafeContext()"),
    contextOf: fn<(tsc: bigint) => bigint>("void *LLVMOrcThreadSafeContextGetContext(void *tsc)"),
    newModule: fn<(mod: bigint, tsc: bigint) => bigint>("void *LLVMOrcCreateNewThreadSafeModule(void *mod, void *tsc)"),
    mainDylib: fn<(jit: bigint) => bigint>("void *LLVMOrcLLJITGetMainJITDylib(void *jit)"),
    addModule: fn<(jit: bigint, dylib: bigint, tsm: bigint) => bigint | null>("void *LLVMOrcLLJITAddLLVMIRModule(void *jit, void *dylib, void *tsm)"),
    lookup: fn<(jit: bigint, address: bigint[], name: string) => bigint | null>("void *LLVMOrcLLJITLookup(void *jit, _Out_ uint64_t *address, const char *name)"),
  };
  // The addresses of two C API functions, for the handler to call: libLLVM is loaded RTLD_LOCAL,
  // so they are looked up in its own handle.
  const libc = koffi.load("libc.so.6");
  const dlopen = libc.func("void *dlopen(const char *file, int flags)") as unknown as (file: string, flags: number) => unknown;
  const dlsym = libc.func("void *dlsym(void *handle, const char *name)") as unknown as (h: unknown, name: string) => unknown;
  const RTLD_LAZY_NOLOAD = 0x1 | 0x4;
  const self = dlopen(llvm.path, RTLD_LAZY_NOLOAD);
  const severity = self && dlsym(self, "LLVMGetDiagInfoSeverity");
  const description = self && dlsym(self, "LLVMGetDiagInfoDescription");
  if (!severity || !description) return null;

  const check = (err: bigint | null): void => {
    if (err) throw new Error(takeMessage(llvm, llvm.fn.getErrorMessage(err), llvm.fn.disposeErrorMessage));
  };
  const jit = [0n];
  check(orc.createJIT(jit, null));
  const tsc = orc.newContext();
  const text = Buffer.from(handlerIR(llvm.opaquePointers, koffi.address(severity), koffi.address(description)));
  const buf = llvm.fn.createBufferCopy(text, text.length, "tsbpf-diagnostics.ll");
  const mod = [0n];
  const msg = [0n];
  if (llvm.fn.parseIR(orc.contextOf(tsc), buf, mod, msg)) throw new Error(takeMessage(llvm, msg[0]));
  check(orc.addModule(jit[0], orc.mainDylib(jit[0]), orc.newModule(mod[0], tsc)));
  const address = [0n];
  check(orc.lookup(jit[0], address, "tsbpf_diagnostic"));
  return BigInt(address[0]) || null;
}

/**
 * `void tsbpf_diagnostic(LLVMDiagnosticInfoRef info, u64 *record)`: for an error (severity 0),
 * bumps record[0] and keeps LLVMGetDiagInfoDescription(info) in the next slot. Pointers are
 * i64 (the same registers in the C calling convention), so one text serves typed and opaque IR.
 */
function handlerIR(opaque: boolean, severity: bigint, description: bigint): string {
  const fnPtr = (sig: string) => (opaque ? "ptr" : `${sig}*`);
  const words = opaque ? "ptr" : "i64*";
  return `define void @tsbpf_diagnostic(i64 %info, i64 %record) {
entry:
  %severity = call i32 inttoptr (i64 ${severity} to ${fnPtr("i32 (i64)")})(i64 %info)
  %error = icmp eq i32 %severity, 0
  br i1 %error, label %count, label %done
count:
  %words = inttoptr i64 %record to ${words}
  %n = atomicrmw add ${words} %words, i64 1 seq_cst
  %room = icmp ult i64 %n, ${SLOTS}
  br i1 %room, label %keep, label %done
keep:
  %text = call i64 inttoptr (i64 ${description} to ${fnPtr("i64 (i64)")})(i64 %info)
  %index = add i64 %n, 1
  %slot = getelementptr i64, ${words} %words, i64 %index
  store i64 %text, ${words} %slot, align 8
  br label %done
done:
  ret void
}
`;
}

/** The descriptions recorded in `record` since it was last read; frees them and resets it. */
export function takeRecorded(llvm: LibLLVM, record: Buffer): string[] {
  const reported = Number(record.readBigUInt64LE(0));
  const out: string[] = [];
  for (let i = 0; i < Math.min(reported, SLOTS); i++) out.push(takeMessage(llvm, record.readBigUInt64LE(8 * (1 + i))));
  record.fill(0);
  return out;
}
