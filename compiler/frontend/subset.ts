// The probe language is a subset of TypeScript: what cannot run in the kernel is refused here,
// at its line, with a stable code, before any code is generated. Type errors are TypeScript's
// own (checked-source.ts); this pass sees only well-typed files.

import type * as TS from "typescript";
import { spanAt, TsbpfError } from "../../contract/errors.js";
import { buildCallGraph, type CallGraph } from "./call-graph.js";
import { checkProgramHelpers } from "./program-helpers.js";
import { Codes } from "./codes.js";
import { integerLiteral } from "./constants.js";
import { checkLoopBound } from "./loop-bounds.js";
import { stdlibName, type ModuleDecls } from "./module-scan.js";
import type { CheckedSource } from "./checked-source.js";
import { errorAt } from "./spans.js";
import { stdlibAlias } from "./probe-types.js";

const CLOSURE_HINT = "declare a function at the top level of the file (`function f(x: u32): u32 { … }`) and call it";

/**
 * Rules that need no types, checked before TypeScript's semantic errors: an `async` function is
 * better reported as "not in the language" than as "cannot find global type Promise".
 */
export function checkSyntax(ts: typeof TS, source: TS.SourceFile): void {
  // `/// <reference …/>` would pull other files into the program: probe code is one file.
  const [reference] = [...source.referencedFiles, ...source.typeReferenceDirectives, ...source.libReferenceDirectives].sort((a, b) => a.pos - b.pos);
  if (reference)
    throw new TsbpfError("probe code is one file: `/// <reference>` directives are not supported", {
      code: Codes.importNotTsbpf,
      at: spanAt(source.fileName, source.text, reference.pos, reference.end - reference.pos),
      hint: 'put shared code in this file, and import only from "tsbpf"',
    });
  const refused = refusedKinds(ts);
  const visit = (node: TS.Node, inFunction: boolean): void => {
    const refuse = (code: string, message: string, hint?: string, at: TS.Node = node): never => {
      throw errorAt(at, code, message, hint);
    };
    const rule = refused.get(node.kind);
    // `const m = new ArrayMap<u64>(4)` at the top level declares a map (module-scan.ts checks the class).
    const declaresMap = ts.isNewExpression(node) && !inFunction && ts.isVariableDeclaration(node.parent) && node.parent.initializer === node;
    if (rule && !declaresMap) refuse(rule.code, rule.message.replace("$TEXT", node.getText()), rule.hint);
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral:
        if (integerLiteral(node.getText()) === undefined) refuse(Codes.float, "floating-point numbers are not supported in probe code", "BPF has no floating point: scale to integers (e.g. count in nanoseconds or per mille)");
        break;
      case ts.SyntaxKind.FunctionDeclaration:
        if (inFunction) refuse(Codes.closure, "functions inside functions (closures) are not supported in probe code", CLOSURE_HINT, (node as TS.FunctionDeclaration).name ?? node);
        break;
      case ts.SyntaxKind.ImportDeclaration:
      case ts.SyntaxKind.ExportDeclaration: {
        const spec = (node as TS.ImportDeclaration).moduleSpecifier;
        if (spec && (!ts.isStringLiteral(spec) || spec.text !== "tsbpf"))
          refuse(Codes.importNotTsbpf, "probe code can import only from \"tsbpf\"", "there is no module system in the kernel: put shared code in this file", spec);
        break;
      }
      case ts.SyntaxKind.CallExpression:
        if ((node as TS.CallExpression).expression.kind === ts.SyntaxKind.ImportKeyword)
          refuse(Codes.importNotTsbpf, "dynamic import() is not supported in probe code", "import from \"tsbpf\" at the top of the file");
        break;
    }
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.asteriskToken)
      refuse(Codes.generator, "generators are not supported in probe code", "loop over a bounded range instead");
    const nested = inFunction || ts.isFunctionLike(node);
    ts.forEachChild(node, (c) => visit(c, nested));
  };
  visit(source, false);
}

interface Rule {
  code: string;
  message: string; // $TEXT: the node's source
  hint: string;
}

let refusedTable: Map<number, Rule> | undefined;

/** Syntax that is never part of the language, whatever its context. */
function refusedKinds(ts: typeof TS): Map<number, Rule> {
  if (refusedTable) return refusedTable;
  const K = ts.SyntaxKind;
  const rules: [number[], Rule][] = [
    [[K.BigIntLiteral], { code: Codes.unsupportedType, message: "bigint literals are not supported", hint: "write the number without `n`; u64 and i64 hold 64-bit values" }],
    [[K.ClassDeclaration, K.ClassExpression], { code: Codes.classes, message: "classes are not supported in probe code", hint: "describe data with an interface, and behaviour with top-level functions" }],
    [[K.NewExpression], { code: Codes.newExpression, message: "`new` is not supported in probe code", hint: "there is no heap in a BPF program: use locals, or declare a map at the top level for state (`const m = new ArrayMap<u64>(16)`)" }],
    [[K.TryStatement, K.ThrowStatement], { code: Codes.exception, message: "exceptions are not supported in probe code", hint: "return early instead: a BPF program cannot unwind" }],
    [[K.AwaitExpression], { code: Codes.async, message: "`await` is not supported in probe code", hint: "a BPF program runs to completion without waiting" }],
    [[K.AsyncKeyword], { code: Codes.async, message: "async functions are not supported in probe code", hint: "a BPF program runs to completion without waiting" }],
    [[K.YieldExpression], { code: Codes.generator, message: "generators are not supported in probe code", hint: "loop over a bounded range instead" }],
    [
      [K.AnyKeyword, K.UnknownKeyword],
      { code: Codes.anyOrUnknown, message: "'$TEXT' is not allowed in probe code", hint: "every value needs a concrete type: use an integer type (u8…u64, i8…i64), boolean, or an interface" },
    ],
    [[K.ComputedPropertyName], { code: Codes.dynamicProperty, message: "computed property names are not supported in probe code", hint: "name the field" }],
    [[K.ForInStatement], { code: Codes.dynamicProperty, message: "for…in is not supported in probe code", hint: "loop over a counted range: for (let i: u32 = 0; i < N; i++)" }],
    [[K.ImportEqualsDeclaration], { code: Codes.importNotTsbpf, message: 'probe code can import only from "tsbpf"', hint: "put shared code in this file" }],
  ];
  refusedTable = new Map(rules.flatMap(([kinds, rule]) => kinds.map((k) => [k, rule] as [number, Rule])));
  return refusedTable;
}

/** Rules that need the checker: what strings, calls and loops mean; recursion. */
export function checkSubset(p: CheckedSource, decls: ModuleDecls): void {
  const { ts } = p;
  const handlers = new Set<TS.Node>(decls.programs.map((d) => d.handler));
  const allowedStrings = new Set<TS.Node>([...decls.programs.map((d) => d.targetNode), ...decls.params.map((d) => d.node.arguments[0])]);
  const moduleFunctions = new Map<TS.Symbol, TS.FunctionDeclaration>(decls.functions.map((f) => [p.symbolAt(f.name!)!, f]));

  const visit = (node: TS.Node): void => {
    const refuse = (code: string, message: string, hint?: string, at: TS.Node = node): never => {
      throw errorAt(at, code, message, hint);
    };
    switch (node.kind) {
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        if (!handlers.has(node)) refuse(Codes.closure, "functions inside expressions (closures) are not supported in probe code", CLOSURE_HINT);
        break;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateExpression:
        if (!allowedStrings.has(node) && !isImportSpecifier(p, node) && !isPrintkFormat(p, node) && !expectsStr(p, node))
          refuse(Codes.string, "strings are not supported here", "string literals are allowed as printk formats, program, tracepoint and param names, and as values of a Str<N>");
        break;
      case ts.SyntaxKind.ElementAccessExpression: {
        const access = node as TS.ElementAccessExpression;
        const base = p.checker.getTypeAtLocation(access.expression);
        if (p.checker.getConstantValue(access) === undefined && !isFixedArray(base))
          refuse(Codes.dynamicProperty, "dynamic property access is not supported in probe code", "access fields by name (x.field); index only FixedArray values");
        break;
      }
      case ts.SyntaxKind.ForOfStatement: {
        const base = p.checker.getTypeAtLocation((node as TS.ForOfStatement).expression);
        if (!isFixedArray(base)) refuse(Codes.unboundedLoop, "for…of works over FixedArray values only", "its length is what bounds the loop; or loop over a counted range: for (let i: u32 = 0; i < N; i++)", (node as TS.ForOfStatement).expression);
        break;
      }
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
        checkLoopBound(p, node as TS.ForStatement | TS.WhileStatement | TS.DoStatement, decls.constants);
        break;
      case ts.SyntaxKind.CallExpression: {
        const call = node as TS.CallExpression;
        const sym = p.symbolAt(call.expression);
        if (!(sym && moduleFunctions.has(sym)) && !stdlibName(p, call.expression))
          refuse(Codes.callNotInSubset, `'${call.expression.getText()}' cannot be called from probe code`, "call functions declared at the top level of this file, or tsbpf's helpers", call.expression);
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(p.source);
  const graph = buildCallGraph(p, decls);
  checkNoRecursion(decls, graph);
  checkProgramHelpers(decls, graph);
}

function isFixedArray(t: TS.Type): boolean {
  return stdlibAlias(t) === "FixedArray";
}

function expectsStr(p: CheckedSource, node: TS.Node): boolean {
  return stdlibAlias(p.checker.getContextualType(node as TS.Expression)) === "Str";
}

function isImportSpecifier(p: CheckedSource, node: TS.Node): boolean {
  const parent = node.parent;
  return (p.ts.isImportDeclaration(parent) || p.ts.isExportDeclaration(parent)) && parent.moduleSpecifier === node;
}

function isPrintkFormat(p: CheckedSource, node: TS.Node): boolean {
  const parent = node.parent;
  return p.ts.isCallExpression(parent) && parent.arguments[0] === node && stdlibName(p, parent.expression) === "printk";
}

/** BPF has a fixed, small stack and the verifier refuses recursion: find a cycle in the calls. */
function checkNoRecursion(decls: ModuleDecls, graph: CallGraph): void {
  const state = new Map<TS.FunctionDeclaration, "active" | "done">();
  const stack: TS.FunctionDeclaration[] = [];
  const dfs = (f: TS.FunctionDeclaration): void => {
    state.set(f, "active");
    stack.push(f);
    for (const { callee, at } of graph.ofFunction.get(f)!.functions) {
      if (state.get(callee) === "active") {
        const cycle = [...stack.slice(stack.indexOf(callee)), callee].map((x) => x.name!.text);
        const message = cycle.length === 2 ? `'${cycle[0]}' calls itself` : `recursion: ${cycle.join(" → ")}`;
        throw errorAt(at, Codes.recursion, `${message}; recursion is not supported in probe code`, "the BPF verifier refuses recursive calls: rewrite it as a bounded loop");
      }
      if (!state.has(callee)) dfs(callee);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of decls.functions) if (!state.has(f)) dfs(f);
}
