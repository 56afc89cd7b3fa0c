// A build's LLVM stage in this process: the lowered module's IR, in one part or several, to one
// object (libbpf's linker joins several), with LLVM's errors reported at the TypeScript lines
// they name. Also where the compiler's process builds up to LLVM only (D200): what lowering must
// know of the LLVM this process will load, and LLVM here on the parts that process sends.

import type { BpfCpu, LoweringTarget } from "../compile-options.js";

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
 * LLVM in this process on the IR of `probe` that the compiler's process sends part by part
 * (D200): each part starts on LLVM's threads as it comes, as in a build in one process.
 */
export class PartsFromElsewhere {
  private readonly llvm = startLLVM();
  private parts: import("./codegen.js").PartsCodegen | undefined;

  constructor(
    private readonly probe: ProbeText,
    private readonly cpu: BpfCpu | undefined,
  ) {}

  /** A part, one of `of`. */
  add(ir: string, of: number): void {
    (this.parts ??= new this.llvm.PartsCodegen({ cpu: this.cpu, expectedParts: of })).add(ir);
  }

  /** The object of the parts, and the time LLVM's threads spent on them. */
  async object(): Promise<{ object: Buffer; background: number }> {
    if (!this.parts) throw new Error("internal compiler error: no IR came from the compiler's process");
    const out = await generated(this.llvm, this.probe, this.parts.finish());
    return { object: joinParts(out.objects), background: out.timings.optimize + out.timings.emit };
  }

  /** The build failed: what is still compiling is dropped (each part frees its own LLVM state). */
  abandon(): void {
    this.parts?.finish().catch(() => undefined);
  }
}
