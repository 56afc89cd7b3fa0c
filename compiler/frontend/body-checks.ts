// What lowering cannot lower, found before it: the rules about statements and expressions that
// need the checker's types but no IR (printk's and printf's formats, switch labels, constant indices, fields,
// context methods, literals). Each mistake is reported to `p.diagnostics` and the walk goes on,
// so that one compile lists them all. Lowering keeps a guard only where its own view (an IR
// constant, a lowered type) could differ from the checker's (docs/architecture.md lists them).

import type * as TS from "typescript";
import { CONTEXT_MEMBERS, programKindNamed } from "../kinds/registry.js";
import type { CheckedSource } from "./checked-source.js";
import { Codes } from "./codes.js";
import { constantValue } from "./constants.js";
import { stdlibMemberName, stdlibName, type ModuleDecls } from "./module-scan.js";
import { checkFormatCall, PRINTF, PRINTK } from "./format-string.js";
import { probeTypeOf, typeIfKnown, typeName, type ProbeType } from "./probe-types.js";
import { errorAt } from "./spans.js";

const SUBSET_HINT = "see docs/language.md for the subset that compiles to BPF";

export function checkBodies(p: CheckedSource, decls: ModuleDecls): void {
  const { ts, diagnostics } = p;
  const unsupported = (node: TS.Node, what: string): void => diagnostics.report(errorAt(node, Codes.unsupportedSyntax, `${what} is not supported in probe code`, SUBSET_HINT));
  const lowered = loweredStatements(ts);

  const visit = (node: TS.Node, inBody: boolean): void => {
    if (diagnostics.isRefused(node)) return;
    if (inBody && ts.isStatement(node) && !lowered.has(node.kind) && !refusedBySyntax(ts).has(node.kind)) unsupported(node, describeSyntax(ts, node));
    if (ts.isCallExpression(node)) checkCall(p, node, decls);
    else if (ts.isSwitchStatement(node)) checkSwitch(p, node, decls);
    else if (ts.isElementAccessExpression(node)) checkConstantIndex(p, node, decls);
    else if (ts.isPropertyAccessExpression(node)) checkProperty(p, node);
    else if (ts.isReturnStatement(node) && node.expression) checkReturn(p, node);
    else if (ts.isBinaryExpression(node)) checkStrOrder(p, node);
    else if (ts.isObjectLiteralExpression(node)) {
      for (const member of node.properties)
        if (!ts.isPropertyAssignment(member) && !ts.isShorthandPropertyAssignment(member)) unsupported(member, "this kind of object-literal member");
    } else if (ts.isArrayLiteralExpression(node)) checkArrayLiteral(p, node);
    else if (inBody && ts.isVariableDeclaration(node)) checkLocal(p, node);
    else if (ts.isForOfStatement(node)) {
      const decl = ts.isVariableDeclarationList(node.initializer) ? node.initializer.declarations[0] : undefined;
      if (!decl || !ts.isIdentifier(decl.name)) unsupported(node.initializer, "this for…of binding");
    }
    const body = ts.isFunctionLike(node) ? (node as TS.FunctionLikeDeclaration).body : undefined;
    ts.forEachChild(node, (child) => visit(child, inBody || child === body));
  };
  visit(p.source, false);
}

/** Calls: printk's format; a context method's receiver and arguments (`ctx.arg(i)`). */
function checkCall(p: CheckedSource, call: TS.CallExpression, decls: ModuleDecls): void {
  const { ts, diagnostics } = p;
  const callee = stdlibName(p, call.expression);
  if (callee === "printk") return checkFormatCall(p, call, PRINTK);
  if (callee === "printf") return checkFormatCall(p, call, PRINTF);
  if (callee === "startsWith") return checkStartsWith(p, call);
  if (!ts.isPropertyAccessExpression(call.expression)) return;
  const name = stdlibMemberName(p, call.expression);
  const member = name && CONTEXT_MEMBERS.get(name);
  if (!member) return;
  const receiver = call.expression.expression;
  if (!isHandlerContext(p, receiver)) {
    diagnostics.report(
      errorAt(call, Codes.unsupportedSyntax, "a context method on anything but the program handler's own context parameter is not supported in probe code", "call it on the handler's parameter (`ctx`) itself, and pass the result on"),
    );
    return;
  }
  const error = member.check?.(p, call, decls.constants);
  if (error) diagnostics.report(error);
}

/** `s.startsWith("literal")`: the prefix is compared byte by byte with constants (lower/str-compare.ts). */
function checkStartsWith(p: CheckedSource, call: TS.CallExpression): void {
  const { ts } = p;
  let prefix = call.arguments[0];
  while (prefix && ts.isParenthesizedExpression(prefix)) prefix = prefix.expression;
  if (prefix && !ts.isStringLiteralLike(prefix) && !p.diagnostics.reportedWithin(prefix))
    p.diagnostics.report(errorAt(prefix, Codes.strCompare, "startsWith takes a string literal in probe code", 'write the prefix out: s.startsWith("kworker"); to compare two Strs, use ==='));
}

/** `a < b` on strings: only equality is compared in the kernel. */
function checkStrOrder(p: CheckedSource, e: TS.BinaryExpression): void {
  const K = p.ts.SyntaxKind;
  const order = [K.LessThanToken, K.LessThanEqualsToken, K.GreaterThanToken, K.GreaterThanEqualsToken];
  if (!order.includes(e.operatorToken.kind)) return;
  if (typeIfKnown(p, e.left)?.kind === "str" || typeIfKnown(p, e.right)?.kind === "str")
    p.diagnostics.report(errorAt(e, Codes.strCompare, `strings cannot be compared with ${e.operatorToken.getText()} in probe code`, "compare a Str with === or !== to a string literal or another Str, or test a prefix with startsWith"));
}

/** Whether `e` names the first parameter of a program's handler: the context the kernel passes. */
function isHandlerContext(p: CheckedSource, e: TS.Expression): boolean {
  const { ts } = p;
  const decl = ts.isIdentifier(e) ? p.symbolAt(e)?.valueDeclaration : undefined;
  if (!decl || !ts.isParameter(decl)) return false;
  const handler = decl.parent;
  const call = handler.parent;
  if (!(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) || handler.parameters[0] !== decl || !ts.isCallExpression(call)) return false;
  const kind = stdlibName(p, call.expression);
  return kind !== undefined && programKindNamed(kind) !== undefined && call.arguments[call.arguments.length - 1] === handler;
}

/** Case labels: integer constants, each value once (as the subject's type holds it). */
function checkSwitch(p: CheckedSource, s: TS.SwitchStatement, decls: ModuleDecls): void {
  const { ts, diagnostics } = p;
  const subject = typeIfKnown(p, s.expression);
  if (subject && subject.kind !== "int")
    diagnostics.report(errorAt(s.expression, Codes.unsupportedSyntax, `a switch on a ${typeName(subject)} is not supported in probe code`, "switch on an integer"));
  const seen = new Set<bigint>();
  for (const clause of s.caseBlock.clauses) {
    if (ts.isDefaultClause(clause)) continue;
    const v = constantValue(p, clause.expression, decls.constants);
    if (v === undefined) {
      diagnostics.report(errorAt(clause.expression, Codes.switchCaseNotConstant, "a case label must be an integer constant", "use a literal, a module-level const, or an enum member"));
      continue;
    }
    const value = subject?.kind === "int" ? BigInt.asIntN(subject.bits, v) : v;
    if (seen.has(value)) diagnostics.report(errorAt(clause.expression, Codes.switchCaseNotConstant, `duplicate case ${v}`, "each case value may appear once"));
    seen.add(value);
  }
}

/** `xs[4]` of a FixedArray<T, 4>: a constant index is checked against the length. */
function checkConstantIndex(p: CheckedSource, e: TS.ElementAccessExpression, decls: ModuleDecls): void {
  const array = typeIfKnown(p, e.expression);
  if (array?.kind !== "array") return;
  const v = constantValue(p, e.argumentExpression, decls.constants);
  if (v === undefined) return;
  const i = BigInt.asUintN(64, v);
  if (i >= BigInt(array.length))
    p.diagnostics.report(errorAt(e.argumentExpression, Codes.indexOutOfRange, `index ${i} is out of range for a ${typeName(array)}`, `valid indices are 0 to ${array.length - 1}`));
}

/**
 * `x.name`: a field of a struct, `length` of a FixedArray, an enum member; integers, booleans and
 * strings have no properties. (What a pointer's fields are, and a map value's where TypeScript
 * has not narrowed it, is lowering's to say.)
 */
function checkProperty(p: CheckedSource, e: TS.PropertyAccessExpression): void {
  const { ts } = p;
  if (ts.isCallExpression(e.parent) && e.parent.expression === e) return; // a call's callee: checked as a call
  const constant = p.checker.getConstantValue(e);
  if (typeof constant === "number" && Number.isInteger(constant)) return;
  const base = typeIfKnown(p, e.expression);
  if (!base) return;
  if (base.kind === "struct") {
    if (!base.fields.some((f) => f.name === e.name.text)) p.diagnostics.report(errorAt(e.name, Codes.unsupportedSyntax, `${base.name} has no field '${e.name.text}'`, `its fields: ${base.fields.map((f) => f.name).join(", ")}`));
  } else if (base.kind !== "ptr" && base.kind !== "optional" && !(base.kind === "array" && e.name.text === "length"))
    p.diagnostics.report(errorAt(e, Codes.unsupportedSyntax, `the property access '${e.getText()}' is not supported in probe code`, `a ${typeName(base)} has no properties`));
}

/** `return value` in the handler of a program whose result the kernel ignores. */
function checkReturn(p: CheckedSource, s: TS.ReturnStatement): void {
  const { ts } = p;
  let fn: TS.Node = s.parent;
  while (!ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
  const call = fn.parent;
  if (!(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !call || !ts.isCallExpression(call)) return;
  const callee = stdlibName(p, call.expression);
  const kind = callee ? programKindNamed(callee) : undefined;
  if (kind?.returns === "ignored")
    p.diagnostics.report(errorAt(s.expression!, Codes.unsupportedSyntax, "returning a value from a program whose result the kernel ignores is not supported in probe code", `a ${kind.name} program's result is not used: write \`return;\``));
}

/** Array literals: no spread, no holes, and no more elements than the FixedArray they fill. */
function checkArrayLiteral(p: CheckedSource, e: TS.ArrayLiteralExpression): void {
  const { ts, diagnostics } = p;
  for (const x of e.elements)
    if (ts.isSpreadElement(x) || ts.isOmittedExpression(x)) diagnostics.report(errorAt(x, Codes.unsupportedSyntax, "spread and holes in array literals are not supported in probe code", SUBSET_HINT));
  const contextual = p.checker.getContextualType(e);
  let type: ProbeType | undefined;
  try {
    type = contextual && probeTypeOf(p, contextual, e);
  } catch {
    return; // not a type a literal can fill: lowering says so where the value is used
  }
  if (type?.kind === "array" && e.elements.length > type.length)
    diagnostics.report(errorAt(e.elements[type.length], Codes.unsupportedType, `${e.elements.length} elements do not fit in a ${typeName(type)}`, "the rest of a FixedArray is zero; give at most its length"));
}

/** A local: a plain name, with a value, of a type probe code has (an annotation is checked here). */
function checkLocal(p: CheckedSource, d: TS.VariableDeclaration): void {
  const { ts, diagnostics } = p;
  const list = d.parent;
  if (ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent)) return; // the loop's binding
  if (!ts.isIdentifier(d.name)) return diagnostics.report(errorAt(d.name, Codes.unsupportedSyntax, "destructuring is not supported in probe code", "declare one variable at a time, and read the fields by name"));
  if (!d.initializer) return diagnostics.report(errorAt(d, Codes.unsupportedSyntax, `'${d.name.text}' needs an initial value`, "write `let x: u32 = 0`"));
  if (d.type && !diagnostics.reportedWithin(d.type)) diagnostics.attempt(() => probeTypeOf(p, p.checker.getTypeAtLocation(d.name), d.name));
}

let loweredTable: Set<number> | undefined;

/** The statements lowering lowers (lower/function.ts). */
function loweredStatements(ts: typeof TS): Set<number> {
  const K = ts.SyntaxKind;
  return (loweredTable ??= new Set([
    K.ExpressionStatement, K.Block, K.VariableStatement, K.IfStatement, K.ReturnStatement, K.ForStatement, K.WhileStatement, K.DoStatement,
    K.ForOfStatement, K.SwitchStatement, K.BreakStatement, K.ContinueStatement, K.LabeledStatement, K.EmptyStatement,
  ]));
}

let refusedBySyntaxTable: Set<number> | undefined;

/** Statements that subset.ts's checkSyntax refuses already, with a better message. */
function refusedBySyntax(ts: typeof TS): Set<number> {
  const K = ts.SyntaxKind;
  return (refusedBySyntaxTable ??= new Set([K.FunctionDeclaration, K.ClassDeclaration, K.TryStatement, K.ThrowStatement, K.ForInStatement, K.WithStatement, K.DebuggerStatement]));
}

/** A readable name for a kind of syntax, for "X is not supported". */
export function describeSyntax(ts: typeof TS, node: TS.Node): string {
  const name = ts.SyntaxKind[node.kind]
    .replace(/(Statement|Expression|Declaration|Keyword|Literal)$/, " $1")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return `a ${name}`;
}
