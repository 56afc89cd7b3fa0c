// LLVM's errors as values. By default LLVM prints a backend error (a BPF stack over 512 bytes,
// a call it cannot lower, a function with too many arguments) and calls exit(1), and a fatal
// error aborts: either ends the whole node process, and with parts on several threads the
// other threads then crash in static destructors ("pure virtual method called"). A diagnostic
// handler on every context collects the errors instead (codegen.ts turns them into a
// TsbpfError at the TypeScript line they name); a fatal error handler prints one clear line.

import { writeSync } from "node:fs";
import koffi from "koffi";
import { lineStart, spanAt, TsbpfError } from "../../contract/errors.js";
import { packageVersion } from "../../contract/paths.js";
import { takeMessage, type LibLLVM } from "./libllvm.js";
import { RECORD_BYTES, takeRecorded } from "./native-diagnostics.js";

const LLVMDSError = 0;

/** One error LLVM reported, with the source location its debug info gave, if any. */
export interface LLVMDiagnostic {
  message: string;
  /** The program or function LLVM was compiling. */
  function?: string;
  line?: number;
  column?: number;
}

/** The errors LLVM reported on one context (one module, or one part of it). */
export interface DiagnosticSink {
  /** What LLVM reported so far (call after each step: a native handler's record is read here). */
  errors(): LLVMDiagnostic[];
  /** Stops collecting (before the context is disposed). */
  close(): void;
}

const sinks = new Map<bigint, LLVMDiagnostic[]>();
let nextSink = 1n;
let handler: unknown;

/**
 * Collects the errors LLVM reports on `ctx`. With `native` (native-diagnostics.ts), a handler
 * in native code records them, and the context may be compiled on any thread. Without, the
 * handler is a koffi callback: only steps on the main thread may report errors (codegen.ts).
 */
export function collectDiagnostics(llvm: LibLLVM, ctx: bigint, native?: bigint): DiagnosticSink {
  if (native) {
    const record = Buffer.alloc(RECORD_BYTES);
    llvm.fn.setDiagnosticHandler(ctx, native, record);
    const errors: LLVMDiagnostic[] = [];
    const sink = {
      errors: () => {
        errors.push(...takeRecorded(llvm, record).map(parseDiagnostic));
        return errors;
      },
      // The record lives as long as this closure: until the context that writes it is disposed.
      close: () => void sink.errors(),
    };
    return sink;
  }
  handler ??= koffi.register((info: bigint, id: bigint | null) => {
    try {
      const errors = id === null ? undefined : sinks.get(BigInt(id));
      if (!errors || llvm.fn.diagnosticSeverity(info) !== LLVMDSError) return; // warnings, remarks: not ours to print
      errors.push(parseDiagnostic(takeMessage(llvm, llvm.fn.diagnosticDescription(info))));
    } catch {
      // An exception cannot cross into LLVM; the error is lost, not the process.
    }
  }, koffi.pointer(koffi.proto("void", ["void *", "void *"])));
  const id = nextSink++;
  const errors: LLVMDiagnostic[] = [];
  sinks.set(id, errors);
  llvm.fn.setDiagnosticHandler(ctx, handler, id);
  return { errors: () => errors, close: () => void sinks.delete(id) };
}

/**
 * LLVM's text for a backend error: `file:line:col: in function NAME TYPE: message`, with
 * `<unknown>:0:0` where the instruction has no location.
 */
export function parseDiagnostic(text: string): LLVMDiagnostic {
  const m = /^(.*?):(\d+):(\d+): in function (\S+) [^:]*: ([\s\S]*)$/.exec(text.trim());
  if (!m) return { message: text.trim() };
  const line = Number(m[2]);
  return { message: tidy(m[5]), function: m[4], ...(line > 0 ? { line, column: Math.max(1, Number(m[3])) } : {}) };
}

/**
 * LLVM's message without the selection-DAG node it prints along (`too many args to 0x5d…: i64 =
 * GlobalAddress<… @f> 0, p.ts:3:1` says: a call to f), on one line.
 */
function tidy(message: string): string {
  return message
    .replace(/\b0x[0-9a-f]+: [^\n]*?@([\w.$]+)>[^\n]*/, "'$1'")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\.$/, "");
}

/** Errors LLVM reported while compiling a module: the user's probe took it past a limit. */
export class LLVMDiagnosticsError extends Error {
  constructor(
    readonly diagnostics: LLVMDiagnostic[],
    readonly ir: string,
  ) {
    super(`LLVM could not compile the module: ${diagnostics.map((d) => d.message).join("; ")}`);
  }

  /** The error as a user sees it, at the line of `file` (whose text is `source`) LLVM named. */
  toTsbpfError(file: string, source: string): TsbpfError {
    // One error per function and message (LLVM repeats one for each instruction it concerns),
    // those with a line first.
    const seen = new Set<string>();
    const key = (d: LLVMDiagnostic) => `${d.function}\0${d.message}`;
    const unique = this.diagnostics.filter((d) => !seen.has(key(d)) && seen.add(key(d)));
    unique.sort((a, b) => Number(a.line === undefined) - Number(b.line === undefined));
    const [first, ...rest] = unique.map((d) => diagnosticError(d, file, source));
    return new TsbpfError(first.message, { ...first.options, related: rest });
  }
}

function diagnosticError(d: LLVMDiagnostic, file: string, source: string): TsbpfError {
  const what = d.function ? `'${d.function}'` : "this probe";
  const message = `LLVM could not compile ${what}: ${d.message}`;
  const at = d.line !== undefined ? spanAt(file, source, lineStart(source, d.line) + (d.column ?? 1) - 1) : undefined;
  return new TsbpfError(message, { at, subject: at ? undefined : file, hint: hintFor(d.message) });
}

function hintFor(message: string): string {
  if (/stack limit/.test(message))
    return "BPF gives a program and the functions it calls 512 bytes of stack in all: keep fewer or smaller values alive at once, or move the work into a program's handler, whose large values go to a per-CPU scratch buffer";
  if (/too many args/.test(message)) return "a BPF function takes at most five arguments: pass a struct instead of many values";
  return `tsbpf should have refused this before LLVM: please report it (tsbpf ${packageVersion}), with the probe file`;
}

let fatalHandler: unknown;

/** The status the CLI gives an internal error (EX_SOFTWARE). */
const EXIT_INTERNAL = 70;

/**
 * LLVM's fatal errors (report_fatal_error: a state it cannot continue from) print one line and
 * end the process with tsbpf's internal-error status. LLVM would exit after the handler anyway;
 * _exit skips the static destructors that crash while another thread is still inside LLVM.
 */
export function installFatalErrorHandler(llvm: LibLLVM): void {
  if (fatalHandler) return;
  const exit = koffi.load("libc.so.6").func("void _exit(int status)") as unknown as (status: number) => never;
  fatalHandler = koffi.register((reason: string | null) => {
    // `Cannot select: <node>\n  <operands>…\nIn function: f`: the first line and the function.
    const text = reason ?? "a fatal error";
    const where = /In function: (\S+)/.exec(text)?.[1];
    const first = text.split("\n")[0].replace(/\s*\b0x[0-9a-f]+[:,]?/g, "").slice(0, 200);
    const what = where ? `'${where}'` : "the probe";
    writeSync(2, `tsbpf: LLVM could not compile ${what} (${first}): a bug in tsbpf ${packageVersion}, please report it with the probe file\n`);
    exit(EXIT_INTERNAL);
  }, koffi.pointer(koffi.proto("void", ["const char *"])));
  llvm.fn.resetFatalErrorHandler(); // another copy of this module (a test runner's) may have set one
  llvm.fn.installFatalErrorHandler(fatalHandler);
}
