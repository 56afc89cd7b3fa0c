// The editor's language service with the probe language in it: the errors of the compiler's own
// checks (probe-checks.ts) added to TypeScript's, and quick fixes (quick-fixes.ts). Whatever goes
// wrong here is logged and left out: the editor keeps TypeScript's own answers (D175).

import type * as TS from "typescript";
import { lineStart, type TsbpfError } from "../../contract/errors.js";
import { Codes } from "../frontend/codes.js";
import { editorSource, probeChecks } from "./probe-checks.js";
import { constFix, formatStringFix, narrowingCastFix, NOT_ASSIGNABLE, nullCheckFix, POSSIBLY_UNDEFINED, type Fix } from "./quick-fixes.js";

export type Log = (message: string) => void;

/** Where the diagnostics come from, as editors show it: `tsbpf(2012)`. */
export const SOURCE = "tsbpf";

/** The numeric part of a TSB code: 2012 for TSB2012 (TypeScript's diagnostics carry numbers). */
export const codeNumber = (code: string): number => Number(code.replace(/^TSB/, ""));

/** Codes of the language this plugin has a fix for (TypeScript's own, TS2322 …, are in its list already). */
const FIXED_CODES = [codeNumber(Codes.printkFormatNotLiteral), codeNumber(Codes.mutableGlobal)];

/** `service` with the probe language's errors added to its semantic diagnostics, and its fixes to the code fixes. */
export function withProbeChecks(ts: typeof TS, service: TS.LanguageService, host: TS.LanguageServiceHost, log: Log): TS.LanguageService {
  const proxy = Object.create(null) as TS.LanguageService;
  for (const key of Object.keys(service) as (keyof TS.LanguageService)[]) {
    const member = service[key];
    (proxy as unknown as Record<string, unknown>)[key] = typeof member === "function" ? (...args: unknown[]) => (member as (...a: unknown[]) => unknown).apply(service, args) : member;
  }
  const logged = new Set<string>();
  const logOnce = (message: string) => {
    if (logged.has(message)) return;
    logged.add(message);
    log(message);
  };
  /** Runs `f`; anything it throws is logged and `fallback` returned: the editor never sees it. */
  const safely = <T>(what: string, fallback: T, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      logOnce(`${what} failed (a bug in tsbpf: please report it): ${(e as Error)?.stack ?? e}`);
      return fallback;
    }
  };
  const errorsOf = new WeakMap<TS.SourceFile, TsbpfError[]>();
  // How the probe's imports resolve: as the editor resolves them (a host may leave out the file system's part).
  const resolution: TS.ModuleResolutionHost = {
    fileExists: (f) => (host.fileExists ? host.fileExists(f) : ts.sys.fileExists(f)),
    readFile: (f) => (host.readFile ? host.readFile(f) : ts.sys.readFile(f)),
    directoryExists: (d) => (host.directoryExists ? host.directoryExists(d) : ts.sys.directoryExists(d)),
    realpath: (f) => (host.realpath ? host.realpath(f) : ts.sys.realpath ? ts.sys.realpath(f) : f),
    getCurrentDirectory: () => host.getCurrentDirectory(),
    getDirectories: (d) => (host.getDirectories ? host.getDirectories(d) : ts.sys.getDirectories(d)),
  };

  /** The language's errors in `fileName`, found once per version of the file (`prior`: TypeScript's own semantic diagnostics of it). */
  const languageErrors = (fileName: string, prior: readonly TS.Diagnostic[]): { sf: TS.SourceFile; errors: TsbpfError[] } | undefined => {
    const program = service.getProgram();
    const sf = program?.getSourceFile(fileName);
    if (!program || !sf || !isProbe(ts, sf)) return undefined;
    let errors = errorsOf.get(sf);
    if (!errors) {
      // With syntax errors the compiler stops at TypeScript's; with type errors it checks only what needs no types.
      if (program.getSyntacticDiagnostics(sf).length) return { sf, errors: [] };
      const checks = probeChecks(ts, program, sf, prior.some((d) => d.category === ts.DiagnosticCategory.Error), resolution);
      if (checks.skipped) logOnce(`${fileName}: ${checks.skipped}`);
      if (checks.failure) logOnce(`checking ${fileName} failed (a bug in tsbpf: please report it): ${(checks.failure as Error)?.stack ?? checks.failure}`);
      errors = checks.errors;
      errorsOf.set(sf, errors);
    }
    return { sf, errors };
  };

  proxy.getSemanticDiagnostics = (fileName) => {
    const prior = service.getSemanticDiagnostics(fileName);
    const added = safely(`checking ${fileName}`, [], () => {
      const found = languageErrors(fileName, prior);
      return found ? found.errors.flatMap((e) => asDiagnostic(ts, found.sf, e) ?? []) : [];
    });
    return added.length ? [...prior, ...added] : prior;
  };

  proxy.getCodeFixesAtPosition = (fileName, start, end, errorCodes, formatOptions, preferences) => {
    const ours = safely(`the fixes at ${fileName}:${start}`, { fixes: [] as Fix[], codes: new Set<number>() }, () => fixesAt(fileName, start, end, errorCodes));
    // TypeScript registers fixes for some of the same numbers (its TS1105 is not our TSB1105): it is not asked about ours.
    const theirs = service.getCodeFixesAtPosition(fileName, start, end, errorCodes.filter((c) => !ours.codes.has(c)), formatOptions, preferences);
    return [...ours.fixes.map((f) => ({ fixName: f.name, description: f.description, changes: [{ fileName, textChanges: f.changes }] })), ...theirs];
  };

  proxy.getSupportedCodeFixes = (fileName) => [...service.getSupportedCodeFixes(fileName), ...FIXED_CODES.map(String)];

  /** The fixes for the errors at exactly [start, end) whose codes are asked for; the language's codes there. */
  const fixesAt = (fileName: string, start: number, end: number, errorCodes: readonly number[]): { fixes: Fix[]; codes: Set<number> } => {
    const program = service.getProgram();
    const sf = program?.getSourceFile(fileName);
    const fixes: Fix[] = [];
    const codes = new Set<number>();
    if (!program || !sf || !isProbe(ts, sf)) return { fixes, codes };
    const prior = service.getSemanticDiagnostics(fileName);
    const here = (d: { start?: number; length?: number; code: number }) => d.start === start && d.start + (d.length ?? 0) === end && errorCodes.includes(d.code);
    for (const d of prior.filter(here)) {
      if (NOT_ASSIGNABLE.includes(d.code)) fixes.push(...[narrowingCastFix(ts, sf, d)].filter((f) => f !== undefined));
      if (NOT_ASSIGNABLE.includes(d.code) || d.code === POSSIBLY_UNDEFINED) fixes.push(...[nullCheckFix(ts, program.getTypeChecker(), sf, d)].filter((f) => f !== undefined));
    }
    const found = languageErrors(fileName, prior);
    for (const e of found?.errors ?? []) {
      const d = asDiagnostic(ts, sf, e);
      if (!d || d.start !== start || d.start + d.length! !== end) continue;
      codes.add(d.code);
      if (!errorCodes.includes(d.code)) continue;
      const checked = editorSource(ts, program, sf, resolution);
      const fix = checked.p && (formatStringFix(checked.p, e, start, end - start) ?? constFix(checked.p, e, start, end - start));
      if (fix) fixes.push(fix);
    }
    return { fixes, codes };
  };

  return proxy;
}

/** A probe: a TypeScript file (not declarations) that imports tsbpf. Other files of the project are left alone. */
function isProbe(ts: typeof TS, sf: TS.SourceFile): boolean {
  return !sf.isDeclarationFile && sf.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && /^tsbpf(\/kernel)?$/.test(s.moduleSpecifier.text));
}

/** The error as the editor's diagnostic: its span in the file, its message with the hint under it. */
export function asDiagnostic(ts: typeof TS, sf: TS.SourceFile, e: TsbpfError): TS.Diagnostic | undefined {
  const { at, hint } = e.options;
  if (!at || at.file !== sf.fileName || !e.code) return undefined;
  const code = codeNumber(e.code);
  const category = ts.DiagnosticCategory.Error;
  return {
    file: sf,
    start: lineStart(sf.text, at.line) + at.column - 1,
    length: at.length ?? 1,
    messageText: hint ? { messageText: e.message, category, code, next: [{ messageText: `hint: ${hint}`, category: ts.DiagnosticCategory.Message, code: 0 }] } : e.message,
    category,
    code,
    source: SOURCE,
  };
}

