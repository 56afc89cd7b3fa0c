// A build's LLVM stage in this process: the lowered module's IR, in one part or several, to one
// object (libbpf's linker joins several), with LLVM's errors reported at the TypeScript lines
// they name. Also where the compiler's process builds up to LLVM only (D200): what lowering must
// know of the LLVM this process will load, and the object of what that process lowered.

import type { CompileOptions, CompileResult, LoweredBuild, LoweringTarget } from "../compile-options.js";

type Codegen = typeof import("./codegen.js");
type CodegenResult = import("./codegen.js").CodegenResult;

/** The probe's file and text, which LLVM's errors are reported in. */
export interface ProbeText {
  fileName: string;
  text: string;
}

/** LLVM for a build in this process: libLLVM starts loading on a libuv thread now (preloadLibLLVM). */
export function startLLVM(): Codegen {
  const llvm = require("./codegen.js") as Codegen;
  (require("./libllvm.js") as typeof import("./libllvm.js")).preloadLibLLVM();
  return llvm;
}

/** `run`'s code generation, its errors as the user's (at their lines) or as internal ones (with the IR). */
export function generate(llvm: Codegen, probe: ProbeText, run: () => CodegenResult): CodegenResult {
  try {
    return run();
  } catch (e) {
    throw sourceError(llvm, probe, e);
  }
}

/** As generate, for code generation on LLVM's threads. */
export async function generated<T>(llvm: Codegen, probe: ProbeText, pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (e) {
    throw sourceError(llvm, probe, e);
  }
}

function sourceError(llvm: Codegen, probe: ProbeText, e: unknown): unknown {
  // LLVM's backend errors (a limit the probe went past) are reported at the line they name.
  if (e instanceof llvm.LLVMDiagnosticsError) return e.toTsbpfError(probe.fileName, probe.text);
  return e instanceof llvm.LLVMError ? new Error(`internal compiler error: ${e.message}\n--- IR ---\n${e.ir}`) : e;
}

/** One part is the object: libbpf's linker only for several. */
export const joinParts = (objects: Buffer[]): Buffer =>
  objects.length === 1 ? objects[0] : (require("../object-link.js") as typeof import("../object-link.js")).linkObjects(objects);

/** Whether libbpf, whose linker joins a module built in parts, is here. */
export const canLink = (): boolean => (require("../object-link.js") as typeof import("../object-link.js")).canLink();

/** The pointers of the LLVM this process will load (the first found), and whether libbpf can link parts here. */
export function loweringTargetHere(): LoweringTarget {
  const { libLLVMChoice, opaquePointersIn } = require("./libllvm.js") as typeof import("./libllvm.js");
  const choice = libLLVMChoice();
  return { opaquePointers: choice ? opaquePointersIn(choice.major) : true, linkable: canLink() };
}

/**
 * The object of `build` (what the compiler's process lowered from `probe`), by LLVM in this
 * process: the result with it, and LLVM's work on its threads as the timings' "llvm.bg".
 */
export async function objectOfLowered(build: LoweredBuild, probe: ProbeText, opts: CompileOptions): Promise<CompileResult> {
  const llvm = startLLVM();
  const parts = new llvm.PartsCodegen({ cpu: opts.cpu, expectedParts: build.irParts.length });
  for (const ir of build.irParts) parts.add(ir);
  const out = await generated(llvm, probe, parts.finish());
  return { ...build.result, object: joinParts(out.objects), timings: { ...build.result.timings, "llvm.bg": out.timings.optimize + out.timings.emit } };
}
