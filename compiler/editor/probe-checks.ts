// The compiler's own checks of the probe language (frontend/: the subset's rules, the module's
// declarations, the handlers' bodies), run on a program an editor's language service has built
// instead of the compiler's: the same errors, at the same places, with the same hints as
// `tsbpf build` (D173). As the compiler does, the checks that need types run only on a file
// TypeScript finds no error in; the rules that need none (checkSyntax) always.

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

export interface ProbeChecks {
  /** The language's errors, in the file's order. */
  errors: TsbpfError[];
  /** Why the checks that need types were not run, when it is not TypeScript's own errors. */
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
    buildModuleModel(p);
  } catch (e) {
    if (isStackOverflow(e)) return { errors: [...found(), stackOverflowError(ts, source)] };
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
  if (tsbpf !== stdlibIndex) return { skipped: `"tsbpf" is ${tsbpf ?? "not found"} here, not ${stdlibIndex}, whose checks this plugin runs` };
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

/** The structs and unions of the editor's kernel declarations ("tsbpf/kernel"), which the checks read field by field as the compiler's CO-RE reads do. */
const kernelDeclarations = new WeakMap<TS.SourceFile, ProbeKernelTypes>();

function kernelTypes(ts: typeof TS, program: TS.Program, file: string | undefined): ProbeKernelTypes | undefined {
  const declarations = file === undefined ? undefined : program.getSourceFile(file);
  if (!declarations) return undefined;
  let kernel = kernelDeclarations.get(declarations);
  if (!kernel) {
    // Only lowering needs a BTF id; the checks need to know which interfaces are the kernel's.
    const composites = new Map<string, number>();
    for (const statement of declarations.statements) if (ts.isInterfaceDeclaration(statement)) composites.set(statement.name.text, composites.size + 1);
    kernel = { text: "", composites, file: declarations.fileName };
    kernelDeclarations.set(declarations, kernel);
  }
  return kernel;
}
