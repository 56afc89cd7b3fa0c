// Finds the BPF programs a probe file declares: top-level `const name = tracepoint(…)` and the
// like. A call is recognised by what it resolves to in tsbpf's declarations, not by its
// spelling, so an aliased import still works and a local function named `tracepoint` does not.

import type * as TS from "typescript";
import { stdlibIndex } from "../paths.js";
import { Codes } from "./codes.js";
import type { ProbeProgram } from "./program.js";
import { errorAt } from "./spans.js";

export type ProgramKind = "tracepoint";

export interface ProgramDecl {
  kind: ProgramKind;
  name: string; // the binding's name: the BPF function's name
  target: string; // e.g. "syscalls/sys_enter_syncfs"
  section: string; // ELF section, which libbpf reads to know how to attach
  exported: boolean;
  handler: TS.ArrowFunction | TS.FunctionExpression;
  declaration: TS.VariableDeclaration;
  targetNode: TS.StringLiteralLike;
}

const KINDS: readonly string[] = ["tracepoint"];

/** The name of the tsbpf declaration that `expr` refers to, if it refers to one. */
export function stdlibName(p: ProbeProgram, expr: TS.Expression): string | undefined {
  let sym = p.checker.getSymbolAtLocation(expr);
  if (!sym) return undefined;
  if (sym.flags & p.ts.SymbolFlags.Alias) sym = p.checker.getAliasedSymbol(sym);
  const decl = sym.declarations?.[0];
  return decl && decl.getSourceFile().fileName === stdlibIndex ? sym.name : undefined;
}

export function findPrograms(p: ProbeProgram): ProgramDecl[] {
  const { ts } = p;
  const out: ProgramDecl[] = [];
  const visitNested = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const kind = stdlibName(p, node.expression);
      if (kind && KINDS.includes(kind))
        throw errorAt(node, Codes.programNotTopLevel, `a ${kind} program must be declared at the top level of the file`, `write \`export const name = ${kind}(…)\` outside any function`);
    }
    ts.forEachChild(node, visitNested);
  };
  for (const stmt of p.source.statements) {
    if (!ts.isVariableStatement(stmt)) {
      ts.forEachChild(stmt, visitNested);
      continue;
    }
    const exported = stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
    for (const decl of stmt.declarationList.declarations) {
      const init = decl.initializer;
      const kind = init && ts.isCallExpression(init) ? stdlibName(p, init.expression) : undefined;
      if (!init || !ts.isCallExpression(init) || !kind || !KINDS.includes(kind)) {
        if (init) ts.forEachChild(init, visitNested);
        continue;
      }
      if (!ts.isIdentifier(decl.name)) throw errorAt(decl.name, Codes.unsupportedSyntax, "a program must be bound to a plain name");
      const [targetArg, handler] = init.arguments;
      if (!targetArg || !ts.isStringLiteralLike(targetArg))
        throw errorAt(targetArg ?? init, Codes.programTargetNotLiteral, `the ${kind} name must be a string literal`, 'write it out, e.g. "syscalls/sys_enter_openat"');
      if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)))
        throw errorAt(handler ?? init, Codes.programHandlerNotInline, "the program's handler must be written inline as a function", "pass `(ctx) => { … }`");
      out.push({ kind: kind as ProgramKind, name: decl.name.text, exported, handler, declaration: decl, targetNode: targetArg, ...target(kind as ProgramKind, targetArg) });
      ts.forEachChild(handler, visitNested);
    }
  }
  return out;
}

function target(kind: ProgramKind, lit: TS.StringLiteralLike): { target: string; section: string } {
  const name = lit.text;
  if (!/^[A-Za-z0-9_]+\/[A-Za-z0-9_.-]+$/.test(name))
    throw errorAt(lit, Codes.badTracepointName, `"${name}" is not a tracepoint name`, 'tracepoints are named "category/event", as under /sys/kernel/tracing/events (e.g. "syscalls/sys_enter_openat")');
  return { target: name, section: `${kind}/${name}` };
}
