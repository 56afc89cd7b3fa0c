// The probe language is a subset of TypeScript: what cannot run in the kernel is refused here,
// at its line, with a stable code, before any code is generated. Type errors are TypeScript's
// own (checked-source.ts); this pass sees only well-typed files.

import type * as TS from "typescript";
import { KERNEL_MODULE } from "../kernel/kernel-request.js";
import { spanAt, TsbpfError } from "../../contract/errors.js";
import type { CallGraph } from "./call-graph.js";
import { checkProgramHelpers } from "./program-helpers.js";
import { Codes } from "./codes.js";
import { integerLiteral } from "./constants.js";
import { checkLoopBound } from "./loop-bounds.js";
import { isDeclaringCall, stdlibName, topLevelDeclarations, type ModuleDecls } from "./module-scan.js";
import type { CheckedSource } from "./checked-source.js";
import type { Diagnostics } from "./diagnostics.js";
import { errorAt } from "./spans.js";
import { stdlibAlias } from "./probe-types.js";

/** The modules probe code may import: tsbpf's own, and the running kernel's types (D130). */
const PROBE_MODULES = ["tsbpf", KERNEL_MODULE];

const CLOSURE_HINT = "declare a function at the top level of the file (`function f(x: u32): u32 { … }`) and call it";

/**
 * Rules that need no types, checked before TypeScript's semantic errors: an `async` function is
 * better reported as "not in the language" than as "cannot find global type Promise". Each
 * mistake is reported to `diagnostics`, and the check goes on; a class or a nested function is
 * refused whole (nothing inside it is checked further, here or in later passes).
 */
export function checkSyntax(ts: typeof TS, source: TS.SourceFile, diagnostics: Diagnostics): void {
  // `/// <reference …/>` would pull other files into the program: probe code is one file.
  const [reference] = [...source.referencedFiles, ...source.typeReferenceDirectives, ...source.libReferenceDirectives].sort((a, b) => a.pos - b.pos);
  if (reference)
    diagnostics.report(
      new TsbpfError("probe code is one file: `/// <reference>` directives are not supported", {
        code: Codes.importNotTsbpf,
        at: spanAt(source.fileName, source.text, reference.pos, reference.end - reference.pos),
        hint: 'put shared code in this file, and import only from "tsbpf"',
      }),
    );
  const refused = refusedKinds(ts);
  const visit = (node: TS.Node, inFunction: boolean): void => {
    const refuse = (code: string, message: string, hint?: string, at: TS.Node = node): void => {
      diagnostics.report(errorAt(at, code, message, hint));
    };
    const rule = refused.get(node.kind);
    // `const m = new ArrayMap<u64>(4)` at the top level declares a map (module-scan.ts checks the class).
    const declaresMap = ts.isNewExpression(node) && !inFunction && ts.isVariableDeclaration(node.parent) && node.parent.initializer === node;
    if (rule && !declaresMap) {
      refuse(rule.code, rule.message.replace("$TEXT", node.getText()), rule.hint);
      if (rule.whole) return diagnostics.refuse(node);
    }
    switch (node.kind) {
      case ts.SyntaxKind.NumericLiteral: {
        const value = integerLiteral(node.getText());
        if (value === undefined) refuse(Codes.float, "floating-point numbers are not supported in probe code", "BPF has no floating point: scale to integers (e.g. count in nanoseconds or per mille)");
        else if (value > (isNegated(ts, node) ? 1n << 63n : (1n << 64n) - 1n))
          refuse(Codes.unsupportedType, `${isNegated(ts, node) ? "-" : ""}${node.getText()} does not fit in 64 bits`, "the widest integers are u64 (up to 2^64 - 1) and i64 (from -2^63)", isNegated(ts, node) ? node.parent : node);
        break;
      }
      case ts.SyntaxKind.FunctionDeclaration:
        if (inFunction) {
          refuse(Codes.closure, "functions inside functions (closures) are not supported in probe code", CLOSURE_HINT, (node as TS.FunctionDeclaration).name ?? node);
          return diagnostics.refuse(node);
        }
        break;
      case ts.SyntaxKind.ImportDeclaration:
      case ts.SyntaxKind.ExportDeclaration: {
        const spec = (node as TS.ImportDeclaration).moduleSpecifier;
        if (spec && (!ts.isStringLiteral(spec) || !PROBE_MODULES.includes(spec.text)))
          refuse(Codes.importNotTsbpf, 'probe code can import only from "tsbpf" and "tsbpf/kernel"', "there is no module system in the kernel: put shared code in this file", spec);
        break;
      }
      case ts.SyntaxKind.CallExpression:
        if ((node as TS.CallExpression).expression.kind === ts.SyntaxKind.ImportKeyword)
          refuse(Codes.importNotTsbpf, "dynamic import() is not supported in probe code", "import from \"tsbpf\" at the top of the file");
        break;
      case ts.SyntaxKind.BinaryExpression: {
        const operator = (node as TS.BinaryExpression).operatorToken;
        if (refusedOperators(ts).has(operator.kind)) refuse(Codes.unsupportedSyntax, `the ${operator.getText()} operator is not supported in probe code`, "see docs/language.md for the operators that compile to BPF", operator);
        break;
      }
    }
    if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.asteriskToken) {
      refuse(Codes.generator, "generators are not supported in probe code", "loop over a bounded range instead");
      return diagnostics.refuse(node);
    }
    if ((ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) && node.questionDotToken)
      refuse(Codes.unsupportedSyntax, "optional chaining (?.) is not supported in probe code", "test the value first: a probe's values are never null", node.questionDotToken);
    const nested = inFunction || ts.isFunctionLike(node);
    ts.forEachChild(node, (c) => visit(c, nested));
  };
  visit(source, false);
}

/** `-5`: the literal's sign is part of the value whose range is checked. */
function isNegated(ts: typeof TS, literal: TS.Node): boolean {
  const parent = literal.parent;
  return ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.MinusToken;
}

interface Rule {
  code: string;
  message: string; // $TEXT: the node's source
  hint: string;
  /** Refused as a whole: nothing inside it is checked further (a class, a generator). */
  whole?: boolean;
}

let refusedTable: Map<number, Rule> | undefined;

/** Syntax that is never part of the language, whatever its context. */
function refusedKinds(ts: typeof TS): Map<number, Rule> {
  if (refusedTable) return refusedTable;
  const K = ts.SyntaxKind;
  const rules: [number[], Rule][] = [
    [[K.BigIntLiteral], { code: Codes.unsupportedType, message: "bigint literals are not supported", hint: "write the number without `n`; u64 and i64 hold 64-bit values" }],
    [[K.ClassDeclaration, K.ClassExpression], { code: Codes.classes, message: "classes are not supported in probe code", hint: "describe data with an interface, and behaviour with top-level functions", whole: true }],
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
    [[K.ImportEqualsDeclaration], { code: Codes.importNotTsbpf, message: 'probe code can import only from "tsbpf" and "tsbpf/kernel"', hint: "put shared code in this file" }],
    ...(
      [
        [K.TypeOfExpression, "typeof is not supported in probe code"],
        [K.DeleteExpression, "delete is not supported in probe code"],
        [K.VoidExpression, "the void operator is not supported in probe code"],
        [K.RegularExpressionLiteral, "regular expressions are not supported in probe code"],
        [K.TaggedTemplateExpression, "tagged templates are not supported in probe code"],
        [K.DebuggerStatement, "`debugger` is not supported in probe code"],
        [K.WithStatement, "`with` is not supported in probe code"],
        [K.MetaProperty, "import.meta and new.target are not supported in probe code"],
      ] as const
    ).map(([kind, message]): [number[], Rule] => [[kind], { code: Codes.unsupportedSyntax, message, hint: "see docs/language.md for the subset that compiles to BPF" }]),
  ];
  refusedTable = new Map(rules.flatMap(([kinds, rule]) => kinds.map((k) => [k, rule] as [number, Rule])));
  return refusedTable;
}

let operatorTable: Set<number> | undefined;

/** Binary operators that have no meaning in probe code (arithmetic, comparison, assignment and a map value's `??` do). */
function refusedOperators(ts: typeof TS): Set<number> {
  const K = ts.SyntaxKind;
  return (operatorTable ??= new Set([
    K.AsteriskAsteriskToken, K.AsteriskAsteriskEqualsToken, K.InKeyword, K.InstanceOfKeyword,
    K.QuestionQuestionEqualsToken, K.AmpersandAmpersandEqualsToken, K.BarBarEqualsToken,
  ]));
}

/** Rules that need the checker: what strings, calls and loops mean; recursion; helpers per kind. */
export function checkSubset(p: CheckedSource, decls: ModuleDecls, graph: CallGraph): void {
  const { ts, diagnostics } = p;
  const moduleFunctions = new Map<TS.Symbol, TS.FunctionDeclaration>(decls.functions.map((f) => [p.symbolAt(f.name!)!, f]));
  const topLevel = topLevelDeclarations(p);

  const visit = (node: TS.Node): void => {
    if (diagnostics.isRefused(node)) return;
    const refuse = (code: string, message: string, hint?: string, at: TS.Node = node): void => {
      diagnostics.report(errorAt(at, code, message, hint));
    };
    switch (node.kind) {
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
        if (!isProgramHandler(p, node)) {
          refuse(Codes.closure, "functions inside expressions (closures) are not supported in probe code", CLOSURE_HINT);
          return diagnostics.refuse(node);
        }
        break;
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateExpression:
        if (!isDeclaredName(p, node) && !isImportSpecifier(p, node) && !isFormatString(p, node) && !expectsStr(p, node) && !comparedWithStr(p, node) && !isStdlibOption(p, node))
          refuse(
            Codes.string,
            "strings are not supported here",
            "string literals are allowed as printk and printf formats, program, tracepoint and param names, values of a Str<N>, compared with one (`comm() === \"bash\"`, `s.startsWith(\"kworker\")`), and as tsbpf's options (a map's set mode)",
          );
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
        diagnostics.attempt(() => checkLoopBound(p, node as TS.ForStatement | TS.WhileStatement | TS.DoStatement, decls.constants));
        break;
      case ts.SyntaxKind.CallExpression: {
        const call = node as TS.CallExpression;
        const sym = p.symbolAt(call.expression);
        const name = stdlibName(p, call.expression);
        if (!(sym && moduleFunctions.has(sym)) && !name && !diagnostics.reportedWithin(call.expression))
          refuse(Codes.callNotInSubset, `'${call.expression.getText()}' cannot be called from probe code`, "call functions declared at the top level of this file, or tsbpf's helpers", call.expression);
        // Programs and params exist only at the top level: inside a function they would be created per call.
        if (name && !topLevel.has(call) && isDeclaringCall(p, call))
          refuse(Codes.programNotTopLevel, `${name}() must be called at the top level of the file`, `write \`const x = ${name}(…)\` outside any function`);
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(p.source);
  checkNoRecursion(p, decls, graph);
  checkProgramHelpers(p, decls, graph);
}

/** The handler of a program: the last argument of `tracepoint(…)` and the like, written inline. */
function isProgramHandler(p: CheckedSource, node: TS.Node): boolean {
  const call = node.parent;
  return p.ts.isCallExpression(call) && call.arguments[call.arguments.length - 1] === node && isDeclaringCall(p, call) && stdlibName(p, call.expression) !== "param";
}

/** The name a program or param is declared with: `tracepoint("a/b", …)`, `param("N", 0)`, or one of a list (`kprobe(["a", "b"], …)`). */
/**
 * A string the compiler reads from a declaring call's arguments: a program's target (a name, a
 * list of them), or a value in its options (`perfEvent({ type: "software", … })`).
 */
function isDeclaredName(p: CheckedSource, node: TS.Node): boolean {
  const { ts } = p;
  let arg = node;
  while (ts.isArrayLiteralExpression(arg.parent) || (ts.isPropertyAssignment(arg.parent) && arg.parent.initializer === arg) || ts.isObjectLiteralExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  return ts.isCallExpression(call) && call.arguments.includes(arg as TS.Expression) && !ts.isFunctionLike(arg) && isDeclaringCall(p, call);
}

function isFixedArray(t: TS.Type): boolean {
  return stdlibAlias(t) === "FixedArray";
}

function expectsStr(p: CheckedSource, node: TS.Node): boolean {
  return stdlibAlias(p.checker.getContextualType(node as TS.Expression)) === "Str";
}

/**
 * A string where tsbpf declares a set of options (`SetMode`: "any" | "noexist" | "exist"), as
 * the argument of tsbpf's function or method or as a value of the option type: a constant the
 * compiler reads.
 */
function isStdlibOption(p: CheckedSource, node: TS.Node): boolean {
  const type = p.checker.getContextualType(node as TS.Expression);
  if (!type) return false;
  const options = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & p.ts.TypeFlags.Undefined));
  if (!options.length || !options.every((t) => t.isStringLiteral())) return false;
  const call = node.parent;
  const ofTsbpfCall = p.ts.isCallExpression(call) && call.arguments.includes(node as TS.Expression) && stdlibName(p, call.expression) !== undefined;
  return ofTsbpfCall || stdlibAlias(type) !== undefined;
}

/** A literal a Str is compared with: `comm() === "bash"`, `s.startsWith("kworker")` (lower/str-compare.ts). */
function comparedWithStr(p: CheckedSource, node: TS.Node): boolean {
  const { ts } = p;
  if (!ts.isStringLiteralLike(node)) return false; // not a template with substitutions
  let outer: TS.Node = node;
  while (ts.isParenthesizedExpression(outer.parent)) outer = outer.parent;
  const parent = outer.parent;
  if (ts.isCallExpression(parent)) return parent.arguments[0] === outer && stdlibName(p, parent.expression) === "startsWith";
  if (!ts.isBinaryExpression(parent) || !isEqualityOperator(ts, parent.operatorToken.kind)) return false;
  const other = parent.left === outer ? parent.right : parent.left;
  // A map's `Str | undefined` too: lowering asks for the check, which says more than TSB2005.
  return stdlibAlias(p.checker.getNonNullableType(p.checker.getTypeAtLocation(other))) === "Str";
}

function isEqualityOperator(ts: typeof TS, kind: TS.SyntaxKind): boolean {
  const K = ts.SyntaxKind;
  return kind === K.EqualsEqualsEqualsToken || kind === K.ExclamationEqualsEqualsToken || kind === K.EqualsEqualsToken || kind === K.ExclamationEqualsToken;
}

/** `from "tsbpf"`, or `declare module "tsbpf" { … }` (declaring a kernel function's prototype in KernelFunctions). */
function isImportSpecifier(p: CheckedSource, node: TS.Node): boolean {
  const parent = node.parent;
  return ((p.ts.isImportDeclaration(parent) || p.ts.isExportDeclaration(parent)) && parent.moduleSpecifier === node) || (p.ts.isModuleDeclaration(parent) && parent.name === node);
}

function isFormatString(p: CheckedSource, node: TS.Node): boolean {
  const parent = node.parent;
  return p.ts.isCallExpression(parent) && parent.arguments[0] === node && ["printk", "printf"].includes(stdlibName(p, parent.expression) ?? "");
}

/** BPF has a fixed, small stack and the verifier refuses recursion: find the cycles in the calls. */
function checkNoRecursion(p: CheckedSource, decls: ModuleDecls, graph: CallGraph): void {
  const state = new Map<TS.FunctionDeclaration, "active" | "done">();
  const stack: TS.FunctionDeclaration[] = [];
  const dfs = (f: TS.FunctionDeclaration): void => {
    state.set(f, "active");
    stack.push(f);
    for (const { callee, at } of graph.ofFunction.get(f)!.functions) {
      if (state.get(callee) === "active") {
        const cycle = [...stack.slice(stack.indexOf(callee)), callee].map((x) => x.name!.text);
        const message = cycle.length === 2 ? `'${cycle[0]}' calls itself` : `recursion: ${cycle.join(" → ")}`;
        p.diagnostics.report(errorAt(at, Codes.recursion, `${message}; recursion is not supported in probe code`, "the BPF verifier refuses recursive calls: rewrite it as a bounded loop"));
      } else if (!state.has(callee)) dfs(callee);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of decls.functions) if (!state.has(f)) dfs(f);
}
