// Loads a probe file with the TypeScript compiler API against tsbpf's own declarations and
// reports TypeScript's errors as tsbpf errors. Nothing here evaluates the user's code.

import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type * as TS from "typescript";
import { generatedDeclarationFiles, isGeneratedDeclarationFile, isTsbpfDeclarationFile, readDeclarationFile, stdlibIndex, stdlibLib } from "../declaration-files.js";
import { spanAt, TsbpfError } from "../../contract/errors.js";
import { readProbeSource } from "../source-file.js";
import { KERNEL_DECLARATIONS_FILE, probeKernelDeclarations, type ProbeKernelTypes } from "../kernel/kernel-declarations.js";
import { KERNEL_MODULE } from "../kernel/kernel-request.js";
import { tracefsUnreadable } from "../../contract/tracefs.js";
import { Codes } from "./codes.js";
import { checkBracketNesting, checkTreeDepth, isStackOverflow, parserOverflowError, stackOverflowError } from "./nesting.js";
import { Diagnostics } from "./diagnostics.js";
import { checkSyntax } from "./subset.js";
import { typescript } from "./typescript-loader.js";

/**
 * A probe file parsed and type-checked by TypeScript: the TypeScript side's "source". The word
 * "program" is kept for BPF programs (ProgramDecl, ProgramInfo); TypeScript's own is `tsProgram`.
 */
export interface CheckedSource {
  ts: typeof TS;
  tsProgram: TS.Program;
  checker: TS.TypeChecker;
  source: TS.SourceFile;
  fileName: string; // absolute
  text: string;
  /** The checker's symbol for a name, looked up once per node (the checker does not cache it). */
  symbolAt(node: TS.Node): TS.Symbol | undefined;
  /**
   * TypeScript's type errors, if any (thrown). Already done unless loading deferred it. Where the
   * file also breaks a rule of the language that needs no types (an `async` function), those
   * errors are thrown instead: TypeScript's would only be their consequences.
   */
  checkTypes(): void;
  /** The language errors found so far; the frontend's passes add theirs (diagnostics.ts). */
  diagnostics: Diagnostics;
  /** The kernel's types the probe uses (its tracepoints' records, its "tsbpf/kernel" types). */
  kernel: ProbeKernelTypes | undefined;
}

/** Parsed declaration files, kept for the process's next compiles while their text is the same. */
const declarationFiles = new Map<string, { text: string; sf: TS.SourceFile }>();

/** Whether the host serves `name`: tsbpf's declaration files and the default lib, nothing else. */
const isDeclarationServed = (name: string): boolean => name === stdlibLib || isTsbpfDeclarationFile(name);

function declarationSourceFile(ts: typeof TS, name: string, languageVersion: TS.ScriptTarget | TS.CreateSourceFileOptions): TS.SourceFile | undefined {
  const cached = declarationFiles.get(name);
  // stdlib files belong to this installation and are read once; generated ones may be rewritten.
  if (cached && !isGeneratedDeclarationFile(name)) return cached.sf;
  const text = readDeclarationFile(name);
  if (text === undefined) return undefined;
  if (cached?.text === text) return cached.sf;
  const sf = ts.createSourceFile(name, text, languageVersion, true);
  declarationFiles.set(name, { text, sf });
  return sf;
}

/** How probe files are checked: against tsbpf's declarations only, strictly. */
export function probeCompilerOptions(ts: typeof TS): TS.CompilerOptions {
  return {
    noLib: true,
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
  };
}

/**
 * Parses and checks a probe file (`source`: its text, if the caller has read it already). With
 * `deferTypeErrors`, TypeScript's full check of the file waits for `checkTypes()`, so that code
 * generation can start first and run alongside it. `kernel`: the kernel's declarations, if the
 * caller has made them already.
 */
export function loadCheckedSource(file: string, opts: { deferTypeErrors?: boolean; source?: string; kernel?: ProbeKernelTypes } = {}): CheckedSource {
  const fileName = resolve(file);
  const text = opts.source ?? readProbeSource(fileName).toString("utf8");
  // The kernel's types the probe names, made for this compile (kernel/kernel-declarations.ts).
  const kernel = "kernel" in opts ? opts.kernel : probeKernelDeclarations(fileName, text);
  const ts = typescript();
  const options = probeCompilerOptions(ts);
  const host: TS.CompilerHost = {
    getSourceFile(name, languageVersion) {
      if (name === fileName) return ts.createSourceFile(name, text, languageVersion, true, ts.ScriptKind.TS);
      if (name === KERNEL_DECLARATIONS_FILE) return kernel === undefined ? undefined : ts.createSourceFile(name, kernel.text, languageVersion, true, ts.ScriptKind.TS);
      // Probe code is one file: nothing but it and tsbpf's declarations is ever read
      // (a `/// <reference path>` is refused by checkSyntax).
      return isDeclarationServed(name) ? declarationSourceFile(ts, name, languageVersion) : undefined;
    },
    getDefaultLibFileName: () => stdlibLib,
    // Types in .ts files never come from JSDoc: skip parsing it (the stdlib's docs are for editors).
    jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
    writeFile: () => undefined,
    getCurrentDirectory: () => process.cwd(),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => f === fileName || (f === KERNEL_DECLARATIONS_FILE ? kernel !== undefined : isDeclarationServed(f) && existsSync(f)),
    readFile: (f) => (f === fileName ? text : undefined),
    resolveModuleNameLiterals(literals, containingFile) {
      // Probe code may import "tsbpf" and "tsbpf/kernel" and nothing else: there is no module
      // system in the kernel. tsbpf's declaration files import one another ("./integers.js", as
      // editors resolve it).
      const fromDeclarations = isTsbpfDeclarationFile(containingFile);
      return literals.map((lit) => {
        if (lit.text === KERNEL_MODULE && kernel !== undefined)
          return { resolvedModule: { resolvedFileName: KERNEL_DECLARATIONS_FILE, extension: ts.Extension.Dts, isExternalLibraryImport: false } };
        const target = lit.text === "tsbpf" ? stdlibIndex : fromDeclarations && lit.text.startsWith("./") ? resolve(dirname(containingFile), lit.text.replace(/\.js$/, ".d.ts")) : undefined;
        return target && isTsbpfDeclarationFile(target)
          ? { resolvedModule: { resolvedFileName: target, extension: ts.Extension.Dts, isExternalLibraryImport: false } }
          : { resolvedModule: undefined };
      });
    },
  };
  checkBracketNesting(ts, fileName, text);
  let program: TS.Program;
  try {
    program = ts.createProgram({ rootNames: [fileName, stdlibLib, ...generatedDeclarationFiles(), ...(kernel === undefined ? [] : [KERNEL_DECLARATIONS_FILE])], options, host });
  } catch (e) {
    throw isStackOverflow(e) ? parserOverflowError(ts, fileName, text) : e;
  }
  const source = program.getSourceFile(fileName)!;
  checkTreeDepth(ts, source);
  const syntax = program.getSyntacticDiagnostics(source);
  if (syntax.length) throw diagnosticsError(ts, syntax);
  const diagnostics = new Diagnostics();
  checkSyntax(ts, source, diagnostics);
  const languageErrors = diagnostics.error();
  let checked = false;
  const checkTypes = (): void => {
    if (checked) return;
    checked = true;
    let semantic: readonly TS.Diagnostic[];
    try {
      semantic = program.getSemanticDiagnostics(source);
    } catch (e) {
      throw isStackOverflow(e) ? stackOverflowError(ts, source) : e;
    }
    if (semantic.length) throw languageErrors ?? diagnosticsError(ts, semantic);
  };
  if (!opts.deferTypeErrors) checkTypes();
  const checker = program.getTypeChecker();
  return { ts, tsProgram: program, checker, source, fileName, text, symbolAt: symbolLookup(ts, checker), checkTypes, diagnostics, kernel };
}

/** `CheckedSource.symbolAt` over `checker`: the checker's symbol for a name, looked up once per node. */
export function symbolLookup(ts: typeof TS, checker: TS.TypeChecker): (node: TS.Node) => TS.Symbol | undefined {
  const symbols = new WeakMap<TS.Node, TS.Symbol | undefined>();
  return (node) => {
    if (symbols.has(node)) return symbols.get(node);
    // `{ tid }` names the variable `tid`: its name's own symbol is the property's.
    const shorthand = node.parent && ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node;
    const sym = shorthand ? checker.getShorthandAssignmentValueSymbol(node.parent) : checker.getSymbolAtLocation(node);
    symbols.set(node, sym);
    return sym;
  };
}

/** What to do about the TypeScript errors that probe authors meet most. */
const KERNEL_ONLY =
  "probe code runs inside the kernel: only what `tsbpf` exports is available (printk writes a line to the trace pipe)";
const TRACEPOINT_WITHOUT_FORMAT =
  "a tracepoint's fields come from its format file (/sys/kernel/tracing/events/<category>/<event>/format), and there is none for this name here: check it (`tsbpf list 'tracepoint:<category>:*'`), build as root if tracefs is not readable, or name the fields yourself: tracepoint<Fields>(…)";
/** TRACEPOINT_WITHOUT_FORMAT, or, where tracefs is there but not this user's to read, that. */
function tracepointWithoutFormatHint(): string {
  const unreadable = tracefsUnreadable();
  return unreadable
    ? `${unreadable}, so the tracepoint's fields are unknown: run as root (sudo tsbpf …), which loading the probe needs too, or name the fields yourself: tracepoint<Fields>(…)`
    : TRACEPOINT_WITHOUT_FORMAT;
}
const MAYBE_ABSENT = "a map may have no value there: check it first (`if (v !== undefined) …`), or give a default (`map.get(i) ?? 0`)";

const HINTS: Record<number, (msg: string) => string | undefined> = {
  2304: (m) => (/'(console|Math|JSON|Date|process|setTimeout|Promise|Symbol|BigInt)'/.test(m) ? KERNEL_ONLY : 'declare it, or import it from "tsbpf"'),
  2584: () => KERNEL_ONLY,
  // A field of a tracepoint this machine has no format file for (a misspelt name, tracefs unreadable).
  2339: (m) => (m.includes("'TracepointContext<{}>'") ? tracepointWithoutFormatHint() : undefined),
  // 'x' is possibly 'undefined': a map's get() found nothing.
  18048: () => MAYBE_ABSENT,
  2532: () => MAYBE_ABSENT,
  // Read before it is written: the verifier refuses reads of stack memory no path has written.
  2454: () => "give it a value where it is declared (let x: u32 = 0), so that every path writes it before it is read",
  // Arithmetic on a kernel or user pointer: the verifier would refuse it, or it would read the wrong memory.
  2365: (m) => (/'(User)?Ptr</.test(m) ? "a pointer into kernel or user memory cannot be moved by arithmetic: read through it (p.field, readKernel(p)), or index a FixedArray field" : undefined),
};

const INT = "[ui](?:8|16|32|64)";
const NARROWING = new RegExp(`^(?:Argument of type|Type) '(${INT})' is not assignable to (?:parameter of )?type '(${INT})'`);

/** The integer types of TypeScript's message that one does not fit in the other (`Type 'u32' is not assignable to type 'u8'`), if it is one. */
export function integerNarrowing(message: string): { from: string; to: string } | undefined {
  const m = NARROWING.exec(message);
  return m ? { from: m[1], to: m[2] } : undefined;
}

function diagnosticsError(ts: typeof TS, all: readonly TS.Diagnostic[]): TsbpfError {
  // Errors at a place in the file first. Without a place, TypeScript's complaints about global
  // types tsbpf does not declare (TS2318 'Promise', asked for while it elaborates another error:
  // "did you mean to mark this function async?") only repeat what the located error says.
  const located = all.filter((d) => d.file);
  const diagnostics = located.length ? [...located, ...all.filter((d) => !d.file && d.code !== 2318)] : all;
  const errors = diagnostics.map((d) => {
    let message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    let hint = HINTS[d.code]?.(message);
    // The integer brands are an implementation detail: say what the user did, not how it is typed.
    // TypeScript's advice to add 'dom' to `lib` is wrong here: there is no DOM in the kernel.
    if (d.code === 2584) message = message.replace(/ Do you need to change your target library\?.*$/s, "");
    const strSize = /^Type 'Str<(\d+)>' is not assignable to type 'Str<(\d+)>'/.exec(message);
    if (strSize) {
      message = message.split("\n")[0];
      hint = `a Str<N> is a buffer of N bytes: declare this one as Str<${strSize[1]}>`;
    }
    if (/'(User)?Ptr<.*' is not assignable to (parameter of )?type '(User)?Ptr</.test(message)) {
      message = message.split("\n")[0];
      hint = "a UserPtr points into the calling process's memory (read it with readUser), a Ptr into the kernel's (readKernel)";
    }
    const narrowing = integerNarrowing(message);
    if (narrowing) {
      message = message.split("\n")[0];
      hint = `${narrowing.from} does not always fit in ${narrowing.to}: write ${narrowing.to}(x) to convert it explicitly (it truncates as a C cast does)`;
    }
    const at = d.file && d.start !== undefined ? spanAt(d.file.fileName, d.file.text, d.start, d.length ?? 1) : undefined;
    if (d.code === 2307) {
      // An import of anything but tsbpf's modules: a language rule rather than a missing file.
      return new TsbpfError(`probe code can import only from "tsbpf" and "tsbpf/kernel" (${message})`, { code: Codes.importNotTsbpf, at, hint: "there is no module system in the kernel: put shared code in this file" });
    }
    if (d.code === 6053 || d.code === 6231) {
      // A `/// <reference path>` (or lib/types) to a file that is not served: one file only.
      return new TsbpfError("probe code is one file: references to other files are not supported", { code: Codes.importNotTsbpf, at, hint: "put shared code in this file, and import only from \"tsbpf\"" });
    }
    return new TsbpfError(message, { code: `TS${d.code}`, at, subject: at ? undefined : "TypeScript", hint });
  });
  const [first, ...rest] = errors;
  return new TsbpfError(first.message, { ...first.options, related: rest });
}
