// Quick fixes for the mistakes whose fix is obvious (D174): an integer that does not fit the type
// it goes to gets the cast the compiler's hint asks for, `u8(x)`; a map value used without its
// check gets `if (v === undefined) return;` after the lookup; a printk/printf format written as a
// template gets a format string with a conversion per value; a module-level `let` nothing assigns
// becomes `const`. Each fix is text edits in one file.

import type * as TS from "typescript";
import type { TsbpfError } from "../../contract/errors.js";
import { lineStart } from "../../contract/errors.js";
import { integerNarrowing, type CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { typeIfKnown } from "../frontend/probe-types.js";

export interface Fix {
  name: string;
  description: string;
  changes: TS.TextChange[];
}

/** TypeScript's codes for a value of the wrong type, and for one that may be undefined. */
export const NOT_ASSIGNABLE = [2322, 2345];
export const POSSIBLY_UNDEFINED = 18048;

/** The node that spans exactly [start, start + length) in `sf`, or the smallest one that contains it. */
export function nodeAt(ts: typeof TS, sf: TS.SourceFile, start: number, length: number): TS.Node | undefined {
  let found: TS.Node | undefined;
  const visit = (node: TS.Node): void => {
    if (node.getStart(sf) > start || node.getEnd() < start + length) return;
    found = node;
    if (node.getStart(sf) === start && node.getEnd() === start + length) return;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found === sf ? undefined : found;
}

/** `u8(x)` where TypeScript says a wider integer does not fit (TS2322, TS2345). */
export function narrowingCastFix(ts: typeof TS, sf: TS.SourceFile, d: TS.Diagnostic): Fix | undefined {
  const narrowing = integerNarrowing(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const node = narrowing && d.start !== undefined ? nodeAt(ts, sf, d.start, d.length ?? 0) : undefined;
  if (!node || !narrowing) return undefined;
  const { to } = narrowing;
  let change: TS.TextChange;
  if (ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) {
    change = replace(sf, node.parent, `${node.getText(sf)}: ${to}(${node.getText(sf)})`);
  } else {
    const value = assignedValue(ts, node);
    if (!value) return undefined;
    const inner = ts.isParenthesizedExpression(value) ? value.expression : value;
    change = replace(sf, value, `${to}(${inner.getText(sf)})`);
  }
  return { name: "tsbpfNarrowingCast", description: `Convert to ${to} with ${to}(…) (truncates as a C cast does)`, changes: [change, ...valueImport(ts, sf, to)] };
}

/**
 * `if (v === undefined) return;` after `const v = m.get(k)`, where `v` is used as if it were
 * there (TS18048, or TS2322/TS2345 with `| undefined`), in a handler or function that returns
 * nothing: then returning early is what the author means (in one that returns a value, what to
 * return is not obvious).
 */
export function nullCheckFix(ts: typeof TS, checker: TS.TypeChecker, sf: TS.SourceFile, d: TS.Diagnostic): Fix | undefined {
  if (d.start === undefined) return undefined;
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (d.code !== POSSIBLY_UNDEFINED && !(NOT_ASSIGNABLE.includes(d.code) && /^(Argument of type|Type) '[^'\n]* \| undefined' is not assignable/.test(message))) return undefined;
  const node = nodeAt(ts, sf, d.start, d.length ?? 0);
  const used = node && (d.code === POSSIBLY_UNDEFINED ? node : assignedValue(ts, node));
  if (!used || !ts.isIdentifier(used)) return undefined;
  const declaration = checker.getSymbolAtLocation(used)?.valueDeclaration;
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isVariableDeclarationList(declaration.parent)) return undefined;
  const statement = declaration.parent.parent;
  if (!ts.isVariableStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  const fn = enclosingFunction(ts, statement);
  if (!fn || fn !== enclosingFunction(ts, used) || !returnsNothing(ts, checker, fn)) return undefined;
  const lineText = sf.text.slice(lineStart(sf.text, sf.getLineAndCharacterOfPosition(statement.getStart(sf)).line + 1));
  const indent = /^[ \t]*/.exec(lineText)![0];
  const name = used.text;
  return {
    name: "tsbpfNullCheck",
    description: `Return early when '${name}' is undefined (nothing was found for the key)`,
    changes: [{ span: { start: statement.getEnd(), length: 0 }, newText: `\n${indent}if (${name} === undefined) return;` }],
  };
}

/** `printk("pid %u", pid())` for TSB1201's `printk(`pid ${pid()}`)`: a conversion per value by its type. */
export function formatStringFix(p: CheckedSource, error: TsbpfError, start: number, length: number): Fix | undefined {
  const { ts, source: sf } = p;
  if (error.code !== Codes.printkFormatNotLiteral) return undefined;
  const template = nodeAt(ts, sf, start, length);
  if (!template || !(ts.isTemplateExpression(template) || ts.isNoSubstitutionTemplateLiteral(template))) return undefined;
  const call = template.parent;
  if (!ts.isCallExpression(call) || call.arguments.length !== 1 || !ts.isIdentifier(call.expression)) return undefined;
  const text = (raw: string) => escapeQuotes(raw.replace(/%/g, "%%"));
  if (ts.isNoSubstitutionTemplateLiteral(template)) return formatFix(sf, template, `"${text(rawText(sf, template))}"`, call.expression.text);
  let format = text(rawText(sf, template.head));
  const args: string[] = [];
  for (const span of template.templateSpans) {
    const conversion = conversionFor(p, span.expression);
    if (!conversion) return undefined;
    format += conversion + text(rawText(sf, span.literal));
    args.push(span.expression.getText(sf));
  }
  return formatFix(sf, template, [`"${format}"`, ...args].join(", "), call.expression.text);
}

/** `const` for TSB1105's module-level `let x = …`, when nothing in the file assigns x (else it is state, for a map). */
export function constFix(p: CheckedSource, error: TsbpfError, start: number, length: number): Fix | undefined {
  const { ts, source: sf, checker } = p;
  if (error.code !== Codes.mutableGlobal) return undefined;
  const declaration = nodeAt(ts, sf, start, length);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer) return undefined;
  const list = declaration.parent;
  if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1) return undefined;
  const symbol = checker.getSymbolAtLocation(declaration.name);
  let assigned = false;
  const visit = (node: TS.Node): void => {
    if (assigned) return;
    if (ts.isIdentifier(node) && node !== declaration.name && isAssignedTo(ts, node) && checker.getSymbolAtLocation(node) === symbol) assigned = true;
    else ts.forEachChild(node, visit);
  };
  visit(sf);
  const keyword = /^(let|var)\b/.exec(list.getText(sf));
  if (assigned || !keyword) return undefined;
  return {
    name: "tsbpfConst",
    description: `Declare '${declaration.name.text}' with const (nothing assigns it)`,
    changes: [{ span: { start: list.getStart(sf), length: keyword[1].length }, newText: "const" }],
  };
}

/** Whether `node` is written: the target of `=`, `+=` …, `++` or `--`. */
function isAssignedTo(ts: typeof TS, node: TS.Node): boolean {
  const parent = node.parent;
  if (ts.isBinaryExpression(parent)) return parent.left === node && parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
  const increments = (op: TS.SyntaxKind) => op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken;
  return (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) && increments(parent.operator);
}

function formatFix(sf: TS.SourceFile, template: TS.Node, newText: string, name: string): Fix {
  return { name: "tsbpfFormatString", description: `Write the ${name} format as a string literal with a conversion per value`, changes: [replace(sf, template, newText)] };
}

/** The conversion that prints a value of this type (printk's and printf's alike), if there is one. */
function conversionFor(p: CheckedSource, expression: TS.Expression): string | undefined {
  const t = typeIfKnown(p, expression);
  if (t?.kind === "str") return "%s";
  if (t?.kind === "bool") return "%d";
  if (t?.kind === "int") return `%${t.bits === 64 ? "ll" : ""}${t.signed ? "d" : "u"}`;
  return undefined;
}

/** A template part's text as written, without its delimiters (`, ${, }). */
function rawText(sf: TS.SourceFile, part: TS.TemplateLiteralLikeNode | TS.NoSubstitutionTemplateLiteral): string {
  const written = part.getText(sf);
  return written.slice(1, written.endsWith("${") ? -2 : -1);
}

/** A template's text inside double quotes: escape the quotes it does not escape already. */
function escapeQuotes(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === "\\") {
      out += raw.slice(i, i + 2);
      i++;
    } else out += raw[i] === '"' ? '\\"' : raw[i] === "\n" ? "\\n" : raw[i];
  }
  return out;
}

/**
 * The value TypeScript's error is about: at a variable's, property's or assignment target's
 * name, the value given to it; at `return`, the returned value; an argument, itself.
 */
function assignedValue(ts: typeof TS, node: TS.Node): TS.Expression | undefined {
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name === node) return parent.initializer;
  if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.right;
  if (ts.isReturnStatement(node)) return node.expression;
  return ts.isExpression(node) ? node : undefined;
}

function enclosingFunction(ts: typeof TS, node: TS.Node): TS.SignatureDeclaration | undefined {
  for (let n: TS.Node | undefined = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) return n;
  return undefined;
}

function returnsNothing(ts: typeof TS, checker: TS.TypeChecker, fn: TS.SignatureDeclaration): boolean {
  const signature = checker.getSignatureFromDeclaration(fn);
  return signature !== undefined && (checker.getReturnTypeOfSignature(signature).flags & ts.TypeFlags.Void) !== 0;
}

const replace = (sf: TS.SourceFile, node: TS.Node, newText: string): TS.TextChange => ({ span: { start: node.getStart(sf), length: node.getEnd() - node.getStart(sf) }, newText });

/**
 * The edits that let the file call `name` from "tsbpf" (the integer conversions are functions as
 * well as types): drop `type` from `type u8`, add it to the import, or import it.
 */
function valueImport(ts: typeof TS, sf: TS.SourceFile, name: string): TS.TextChange[] {
  const imports = sf.statements.filter((s): s is TS.ImportDeclaration => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text === "tsbpf");
  for (const i of imports) {
    const named = i.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named) || i.importClause!.isTypeOnly) continue;
    const element = named.elements.find((e) => e.name.text === name);
    if (element && !element.isTypeOnly) return [];
    if (element) return [{ span: { start: element.getStart(sf), length: (element.propertyName ?? element.name).getStart(sf) - element.getStart(sf) }, newText: "" }];
  }
  for (const i of imports) {
    const named = i.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named) || i.importClause!.isTypeOnly || !named.elements.length) continue;
    return [{ span: { start: named.elements[named.elements.length - 1].getEnd(), length: 0 }, newText: `, ${name}` }];
  }
  return [{ span: { start: 0, length: 0 }, newText: `import { ${name} } from "tsbpf";\n` }];
}
