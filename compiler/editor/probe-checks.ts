// The compiler's own checks of the probe language (frontend/: the subset's rules, the module's
// declarations, the handlers' bodies), run on a program an editor's language service has built
// instead of the compiler's: the same errors, at the same places, with the same hints as
// `tsbpf build` (D173). As the compiler does, the checks that need types run only on a file
// TypeScript finds no error in; the rules that need none (checkSyntax) always. A file the
// frontend finds no error in is lowered to IR too, as the compiler lowers it (never handed to
// LLVM, which is not loaded here), for what only lowering can tell (D183).

import type * as TS from "typescript";
import { TsbpfError } from "../../contract/errors.js";
import { stdlibIndex } from "../declaration-files.js";
import { KERNEL_MODULE } from "../kernel/kernel-request.js";
import type { ProbeKernelTypes } from "../kernel/kernel-declarations.js";
import { symbolLookup, type CheckedSource } from "../frontend/checked-source.js";
import { Diagnostics } from "../frontend/diagnostics.js";
import { buildModuleModel } from "../frontend/module-model.js";
import { checkBracketNesting, checkTreeDepth, isStackOverflow, stackOverflowError } from "../frontend/nesting.js";
import { checkSyntax } from "../frontend/subset.js";
import type { PointerMode } from "../ir/ir-types.js";
import { KernelBtfMissing, lowerModule } from "../lower/module-lowerer.js";
import { editorKernelTypes, machineBtf } from "./machine-kernel.js";

/** The IR's pointers: which LLVM will read it is not known here, and no error depends on it. */
const EDITOR_POINTERS: PointerMode = { opaquePointers: true };

export interface ProbeChecks {
  /** The language's errors, in the file's order. */
  errors: TsbpfError[];
  /** Which checks were not run and why, when it is not TypeScript's own errors. */
  skipped?: string;
  /** A bug met on the way (a check that threw something other than a user error): the errors found before it are kept. */
  failure?: unknown;
}

/**
 * The probe language's errors in `source`. `typeErrors`: TypeScript reports errors in it (then
 * only the rules that need no types are checked, as the compiler does). `host` resolves the
 * probe's imports as the editor does.
 */
export function probeChecks(ts: typeof TS, program: TS.Program, source: TS.SourceFile, typeErrors: boolean, host: TS.ModuleResolutionHost): ProbeChecks {
  const diagnostics = new Diagnostics();
  const found = (): TsbpfError[] => {
    const e = diagnostics.error();
    return e ? [e, ...(e.options.related ?? [])] : [];
  };
  try {
    // The compiler refuses these before its recursive passes, which they would overflow.
    checkBracketNesting(ts, source.fileName, source.text);
    checkTreeDepth(ts, source);
    checkSyntax(ts, source, diagnostics);
  } catch (e) {
    if (!(e instanceof TsbpfError)) return { errors: found(), failure: e };
    // Too deep to check further, or the most errors one check collects (then they are all in `found()`).
    const all = found();
    return { errors: all.length ? all : [e] };
  }
  if (typeErrors) return { errors: found() };
  const checked = editorSource(ts, program, source, host, diagnostics);
  if (!checked.p) return { errors: found(), skipped: checked.skipped };
  const { p } = checked;
  try {
    const decls = buildModuleModel(p);
    // Lowered as `tsbpf build` lowers it, to IR only (LLVM is never loaded here): the limits and
    // facts only lowering knows, the first mistake of each program and function (D183).
    if (decls.programs.length) lowerModule(p, decls, EDITOR_POINTERS);
  } catch (e) {
    if (isStackOverflow(e)) return { errors: [...found(), stackOverflowError(ts, source)] };
    if (e instanceof KernelBtfMissing) {
      const m = machineBtf();
      return { errors: found(), skipped: `the checks that lowering makes are skipped: the probe reads kernel structs' fields, which are lowered from the kernel's BTF, and there is none here${m.btf === null ? ` (${m.why})` : ""}` };
    }
    // A user error here is the collected ones, thrown together: `found()` has them.
    if (!(e instanceof TsbpfError)) return { errors: found(), failure: e };
  }
  return { errors: found() };
}

/**
 * The probe as the frontend's passes see it (a `CheckedSource`), over the editor's program; or
 * why not: a "tsbpf" other than the one this plugin belongs to has declarations the checks do
 * not know as tsbpf's (a helper would look like any function), so nothing they said would be right.
 */
export function editorSource(ts: typeof TS, program: TS.Program, source: TS.SourceFile, host: TS.ModuleResolutionHost, diagnostics = new Diagnostics()): { p: CheckedSource; skipped?: undefined } | { p?: undefined; skipped: string } {
  const resolve = (name: string) => ts.resolveModuleName(name, source.fileName, program.getCompilerOptions(), host).resolvedModule?.resolvedFileName;
  const tsbpf = resolve("tsbpf");
  if (tsbpf !== stdlibIndex) return { skipped: `the checks that need types are skipped: "tsbpf" is ${tsbpf ?? "not found"} here, not ${stdlibIndex}, whose checks this plugin runs` };
  const checker = program.getTypeChecker();
  return {
    p: {
      ts,
      tsProgram: program,
      checker,
      source,
      fileName: source.fileName,
      text: source.text,
      symbolAt: symbolLookup(ts, checker),
      checkTypes: () => undefined, // the editor shows TypeScript's errors itself
      diagnostics,
      kernel: kernelTypes(ts, program, resolve(KERNEL_MODULE)),
    },
  };
}

function kernelTypes(ts: typeof TS, program: TS.Program, file: string | undefined): ProbeKernelTypes | undefined {
  const declarations = file === undefined ? undefined : program.getSourceFile(file);
  return declarations && editorKernelTypes(ts, declarations);
}
