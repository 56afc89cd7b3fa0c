// The system's libLLVM, called in process through koffi (no clang, no llc on the target).
// Found on its own among LLVM 14…20; TSBPF_LIBLLVM names a library file to use instead.

import { existsSync } from "node:fs";
import koffi, { type LibraryHandle } from "koffi";
import { TsbpfError } from "../../contract/errors.js";

export interface LibLLVM {
  readonly path: string;
  readonly major: number;
  readonly opaquePointers: boolean;
  readonly fn: ReturnType<typeof bind>;
}

const SUPPORTED = [20, 19, 18, 17, 16, 15, 14];

function candidates(): { path: string; major?: number }[] {
  const override = process.env.TSBPF_LIBLLVM;
  if (override) return [{ path: override, major: majorFromName(override) }];
  const out: { path: string; major: number }[] = [];
  for (const v of SUPPORTED) {
    // Debian/Ubuntu sonames for LLVM ≤17, then the LLVM 18+ naming, then the llvm-N prefix.
    out.push({ path: `libLLVM-${v}.so.1`, major: v }, { path: `libLLVM.so.${v}.1`, major: v });
    out.push({ path: `/usr/lib/llvm-${v}/lib/libLLVM-${v}.so`, major: v }, { path: `/usr/lib/llvm-${v}/lib/libLLVM.so`, major: v });
  }
  return out;
}

function majorFromName(path: string): number | undefined {
  const m = /LLVM[-.](\d+)/.exec(path.split("/").pop() ?? "") ?? /llvm-(\d+)/.exec(path);
  return m ? Number(m[1]) : undefined;
}

function bind(lib: LibraryHandle) {
  const f = <T extends (...args: any[]) => any>(decl: string) => lib.func(decl) as unknown as T;
  return {
    contextCreate: f<() => bigint>("void *LLVMContextCreate()"),
    contextDispose: f<(c: bigint) => void>("void LLVMContextDispose(void *c)"),
    createBufferCopy: f<(data: Buffer, len: number, name: string) => bigint>(
      "void *LLVMCreateMemoryBufferWithMemoryRangeCopy(const uint8_t *data, size_t len, const char *name)",
    ),
    parseIR: f<(c: bigint, buf: bigint, mod: bigint[], msg: bigint[]) => number>(
      "int LLVMParseIRInContext(void *c, void *buf, _Out_ void **mod, _Out_ void **msg)",
    ),
    verifyModule: f<(m: bigint, action: number, msg: bigint[]) => number>("int LLVMVerifyModule(void *m, int action, _Out_ void **msg)"),
    disposeModule: f<(m: bigint) => void>("void LLVMDisposeModule(void *m)"),
    disposeMessage: f<(p: bigint) => void>("void LLVMDisposeMessage(void *p)"),
    initTargetInfo: f<() => void>("void LLVMInitializeBPFTargetInfo()"),
    initTarget: f<() => void>("void LLVMInitializeBPFTarget()"),
    initTargetMC: f<() => void>("void LLVMInitializeBPFTargetMC()"),
    initAsmPrinter: f<() => void>("void LLVMInitializeBPFAsmPrinter()"),
    initAsmParser: f<() => void>("void LLVMInitializeBPFAsmParser()"),
    targetFromTriple: f<(triple: string, t: bigint[], err: bigint[]) => number>(
      "int LLVMGetTargetFromTriple(const char *triple, _Out_ void **t, _Out_ void **err)",
    ),
    createTargetMachine: f<(t: bigint, triple: string, cpu: string, features: string, level: number, reloc: number, model: number) => bigint>(
      "void *LLVMCreateTargetMachine(void *t, const char *triple, const char *cpu, const char *features, int level, int reloc, int model)",
    ),
    createPassBuilderOptions: f<() => bigint>("void *LLVMCreatePassBuilderOptions()"),
    runPasses: f<(m: bigint, passes: string, tm: bigint, opts: bigint) => bigint>(
      "void *LLVMRunPasses(void *m, const char *passes, void *tm, void *opts)",
    ),
    getErrorMessage: f<(e: bigint) => bigint>("void *LLVMGetErrorMessage(void *e)"),
    disposeErrorMessage: f<(p: bigint) => void>("void LLVMDisposeErrorMessage(void *p)"),
    emitToMemoryBuffer: f<(tm: bigint, m: bigint, kind: number, err: bigint[], buf: bigint[]) => number>(
      "int LLVMTargetMachineEmitToMemoryBuffer(void *tm, void *m, int kind, _Out_ void **err, _Out_ void **buf)",
    ),
    parseCommandLineOptions: f<(argc: number, argv: string[], overview: string | null) => void>(
      "void LLVMParseCommandLineOptions(int argc, const char **argv, const char *overview)",
    ),
    bufferStart: f<(b: bigint) => bigint>("void *LLVMGetBufferStart(void *b)"),
    bufferSize: f<(b: bigint) => number>("size_t LLVMGetBufferSize(void *b)"),
    disposeBuffer: f<(b: bigint) => void>("void LLVMDisposeMemoryBuffer(void *b)"),
    // LLVM's errors as values (llvm-errors.ts).
    setDiagnosticHandler: f<(c: bigint, handler: unknown, context: bigint | Buffer) => void>(
      "void LLVMContextSetDiagnosticHandler(void *c, void *handler, void *context)",
    ),
    diagnosticDescription: f<(info: bigint) => bigint>("void *LLVMGetDiagInfoDescription(void *info)"),
    diagnosticSeverity: f<(info: bigint) => number>("int LLVMGetDiagInfoSeverity(void *info)"),
    installFatalErrorHandler: f<(handler: unknown) => void>("void LLVMInstallFatalErrorHandler(void *handler)"),
    resetFatalErrorHandler: f<() => void>("void LLVMResetFatalErrorHandler()"),
    // Reading and rewriting calls to memory intrinsics after O2 (mem-intrinsics.ts).
    firstFunction: f<(m: bigint) => bigint | null>("void *LLVMGetFirstFunction(void *m)"),
    nextFunction: f<(fn: bigint) => bigint | null>("void *LLVMGetNextFunction(void *fn)"),
    valueName: f<(v: bigint, len: number[]) => string>("const char *LLVMGetValueName2(void *v, _Out_ size_t *len)"),
    firstUse: f<(v: bigint) => bigint | null>("void *LLVMGetFirstUse(void *v)"),
    nextUse: f<(u: bigint) => bigint | null>("void *LLVMGetNextUse(void *u)"),
    user: f<(u: bigint) => bigint>("void *LLVMGetUser(void *u)"),
    operand: f<(v: bigint, i: number) => bigint>("void *LLVMGetOperand(void *v, unsigned int i)"),
    calledValue: f<(call: bigint) => bigint>("void *LLVMGetCalledValue(void *call)"),
    isConstantInt: f<(v: bigint) => bigint | null>("void *LLVMIsAConstantInt(void *v)"),
    /** A number, or a bigint past 2^53 (koffi returns 64-bit integers so). */
    constIntValue: f<(v: bigint) => number | bigint>("uint64_t LLVMConstIntGetZExtValue(void *v)"),
    enumAttributeKind: f<(name: string, len: number) => number>("unsigned int LLVMGetEnumAttributeKindForName(const char *name, size_t len)"),
    callSiteEnumAttribute: f<(call: bigint, index: number, kind: number) => bigint | null>(
      "void *LLVMGetCallSiteEnumAttribute(void *call, unsigned int index, unsigned int kind)",
    ),
    enumAttributeValue: f<(attr: bigint) => number | bigint>("uint64_t LLVMGetEnumAttributeValue(void *attr)"),
    createEnumAttribute: f<(c: bigint, kind: number, value: bigint) => bigint>("void *LLVMCreateEnumAttribute(void *c, unsigned int kind, uint64_t value)"),
    addCallSiteAttribute: f<(call: bigint, index: number, attr: bigint) => void>("void LLVMAddCallSiteAttribute(void *call, unsigned int index, void *attr)"),
    debugLine: f<(v: bigint) => number>("unsigned int LLVMGetDebugLocLine(void *v)"),
    debugColumn: f<(v: bigint) => number>("unsigned int LLVMGetDebugLocColumn(void *v)"),
    instructionBlock: f<(v: bigint) => bigint>("void *LLVMGetInstructionParent(void *v)"),
    blockFunction: f<(b: bigint) => bigint>("void *LLVMGetBasicBlockParent(void *b)"),
    eraseInstruction: f<(v: bigint) => void>("void LLVMInstructionEraseFromParent(void *v)"),
    debugLocation: f<(v: bigint) => bigint | null>("void *LLVMInstructionGetDebugLoc(void *v)"),
    setDebugLocation: f<(v: bigint, loc: bigint | null) => void>("void LLVMInstructionSetDebugLoc(void *v, void *loc)"),
    typeOf: f<(v: bigint) => bigint>("void *LLVMTypeOf(void *v)"),
    globalValueType: f<(g: bigint) => bigint>("void *LLVMGlobalGetValueType(void *g)"),
    int8Type: f<(c: bigint) => bigint>("void *LLVMInt8TypeInContext(void *c)"),
    int32Type: f<(c: bigint) => bigint>("void *LLVMInt32TypeInContext(void *c)"),
    int64Type: f<(c: bigint) => bigint>("void *LLVMInt64TypeInContext(void *c)"),
    pointerType: f<(to: bigint, addressSpace: number) => bigint>("void *LLVMPointerType(void *to, unsigned int addressSpace)"),
    functionType: f<(ret: bigint, params: bigint[], count: number, varargs: number) => bigint>(
      "void *LLVMFunctionType(void *ret, void **params, unsigned int count, int varargs)",
    ),
    constInt: f<(t: bigint, v: bigint, signExtend: number) => bigint>("void *LLVMConstInt(void *t, uint64_t v, int signExtend)"),
    constIntToPtr: f<(v: bigint, t: bigint) => bigint>("void *LLVMConstIntToPtr(void *v, void *t)"),
    constNull: f<(t: bigint) => bigint>("void *LLVMConstPointerNull(void *t)"),
    createBuilder: f<(c: bigint) => bigint>("void *LLVMCreateBuilderInContext(void *c)"),
    disposeBuilder: f<(b: bigint) => void>("void LLVMDisposeBuilder(void *b)"),
    positionBefore: f<(b: bigint, inst: bigint) => void>("void LLVMPositionBuilderBefore(void *b, void *inst)"),
    buildCall: f<(b: bigint, fnType: bigint, fn: bigint, args: bigint[], count: number, name: string) => bigint>(
      "void *LLVMBuildCall2(void *b, void *fnType, void *fn, void **args, unsigned int count, const char *name)",
    ),
    buildTrunc: f<(b: bigint, v: bigint, to: bigint, name: string) => bigint>("void *LLVMBuildTrunc(void *b, void *v, void *to, const char *name)"),
    buildGEP: f<(b: bigint, t: bigint, ptr: bigint, indices: bigint[], count: number, name: string) => bigint>(
      "void *LLVMBuildInBoundsGEP2(void *b, void *t, void *ptr, void **indices, unsigned int count, const char *name)",
    ),
  };
}

let cached: LibLLVM | undefined;

/** A candidate's major version: 14, the oldest supported, where its name gives none (TSBPF_LIBLLVM). */
const majorOf = (c: { major?: number }): number => c.major ?? 14;

/**
 * The library loadLibLLVM tries first, found without loading it, and its major version (14 where
 * its name gives none): the IR lowering writes is for this LLVM (its pointers, D200).
 */
export function libLLVMChoice(): { path: string; major: number } | undefined {
  for (const c of candidates()) {
    const path = locate(c.path);
    if (path) return { path, major: majorOf(c) };
  }
  return undefined;
}

/** LLVM 15 reads opaque pointers (`ptr`), 14 typed ones (`i8*`); 17 on only opaque ones. */
export const opaquePointersIn = (major: number): boolean => major >= 15;

/**
 * Starts loading libLLVM on a libuv thread while the caller does other work (type-checking):
 * dlopen of libLLVM costs 20–30 ms here, and the later koffi.load of the same file is then
 * nearly free. Harmless if nothing is found: loadLibLLVM reports that. `then` runs once it is
 * loaded, when this thread is next free (never during a synchronous compile).
 */
export function preloadLibLLVM(then?: () => void): void {
  if (cached || preloading) return;
  preloading = true;
  // Only the first candidate that exists: an async dlopen's callback cannot run before the
  // synchronous compile ends, so there is no trying one after another here.
  const first = libLLVMChoice();
  if (!first) return;
  const libc = koffi.load("libc.so.6");
  const dlopen = libc.func("void *dlopen(const char *file, int flags)") as unknown as {
    async(file: string, flags: number, cb: (err: unknown, handle: bigint | null) => void): void;
  };
  dlopen.async(first.path, 2 /* RTLD_NOW */, () => then?.());
}

const LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu"];

/** Where the dynamic loader would find `name`, looking in the usual places only. */
function locate(name: string): string | undefined {
  if (name.includes("/")) return existsSync(name) ? name : undefined;
  return LIB_DIRS.map((d) => `${d}/${name}`).find((p) => existsSync(p));
}
let preloading = false;

export function loadLibLLVM(): LibLLVM {
  if (cached) return cached;
  const tried: string[] = [];
  for (const c of candidates()) {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(c.path);
    } catch {
      tried.push(c.path);
      continue;
    }
    let fn: ReturnType<typeof bind>;
    try {
      fn = bind(lib);
    } catch (e) {
      throw new TsbpfError(`${c.path} is not a usable libLLVM (${(e as Error).message})`, {
        subject: "libLLVM",
        hint: "point TSBPF_LIBLLVM at libLLVM 14 or newer built with the BPF target, or unset it",
      });
    }
    const major = majorOf(c);
    cached = { path: c.path, major, opaquePointers: opaquePointersIn(major), fn };
    // InstCombine to a fixed point re-walks every function until nothing changes; one round is
    // LLVM 17's default, and here gives the same BPF code 15 % sooner (docs/decisions.md). An
    // option this LLVM does not know is ignored (the C API parses without exiting on errors).
    fn.parseCommandLineOptions(2, ["tsbpf", "-instcombine-max-iterations=1"], null);
    return cached;
  }
  throw new TsbpfError("libLLVM was not found", {
    subject: "libLLVM",
    hint:
      process.env.TSBPF_LIBLLVM !== undefined
        ? `TSBPF_LIBLLVM=${process.env.TSBPF_LIBLLVM} could not be loaded; point it at an existing libLLVM-14 (or newer) shared library`
        : "install it: `apt-get install libllvm14` on Debian/Ubuntu (any of LLVM 14 to 20 works), or set TSBPF_LIBLLVM to the library file",
    detail: `looked for: ${tried.slice(0, 4).join(", ")}, …`,
  });
}

/** Reads and frees an LLVM-owned C string. */
export function takeMessage(llvm: LibLLVM, p: bigint | null | undefined, dispose: (p: bigint) => void = llvm.fn.disposeMessage): string {
  if (!p) return "";
  const s = koffi.decode(p, "char", -1) as string;
  dispose(p);
  return s;
}
