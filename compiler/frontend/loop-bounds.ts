// A loop compiles only if the compiler can see that it ends: a counter compared with a bound
// that is a constant (or of a type too narrow to be large), stepped toward it by a constant,
// and not otherwise written in the body. That is what the kernel verifier will also have to
// prove; saying so at the loop's line beats a "back-edge" or "too large" verifier error.

import type * as TS from "typescript";
import { Codes } from "./codes.js";
import { constantValue } from "./constants.js";
import type { CheckedSource } from "./checked-source.js";
import { errorAt } from "./spans.js";
import { intRange } from "../../contract/c-layout.js";
import { typeAt, type IntType } from "./probe-types.js";

const HINT = "write it as a counted loop: for (let i: u32 = 0; i < N; i++) with a constant N, and do not assign i in the body";

type Loop = TS.ForStatement | TS.WhileStatement | TS.DoStatement;

export function checkLoopBound(p: CheckedSource, loop: Loop, consts: Map<TS.Symbol, TS.VariableDeclaration>): void {
  const { ts } = p;
  const refuse = (at: TS.Node, why: string): never => {
    throw errorAt(at, Codes.unboundedLoop, `the compiler cannot prove that this loop ends: ${why}`, HINT);
  };
  const cond = loopCondition(p, loop) ?? refuse(loop, "it has no condition");
  const c = comparison(p, cond) ?? refuse(cond, "its condition is not a counter compared with a bound (<, <=, >, >=)");
  const counterSym = p.symbolAt(c.counter);
  if (!counterSym) return refuse(c.counter, "its counter is not a local variable");
  const counterType = typeAt(p, c.counter);
  if (counterType.kind !== "int") return refuse(c.counter, "its counter is not an integer");
  const up = c.op === "<" || c.op === "<=";

  // The bound: a constant that the counter reaches without wrapping, or a value whose type is
  // no wider than the counter's.
  const bound = constantValue(p, c.bound, consts);
  const [min, max] = intRange(counterType);
  if (bound !== undefined) {
    const ok = c.op === "<" ? bound <= max : c.op === "<=" ? bound < max : c.op === ">" ? bound >= min : bound > min;
    if (!ok) refuse(c.bound, `a ${counterType.name} counter wraps around before it gets past ${bound}`);
  } else {
    const bt = typeAt(p, c.bound);
    if (bt.kind !== "int") return refuse(c.bound, "its bound is not an integer");
    const [bmin, bmax] = intRange(bt);
    const ok = up ? (c.op === "<" ? bmax <= max : bmax < max) : c.op === ">" ? bmin >= min : bmin > min;
    if (!ok || bt.bits > 16) refuse(c.bound, `its bound is neither a constant nor of a narrow type (it is ${bt.name}); the verifier could not bound it either`);
  }

  // The step: exactly one, toward the bound, by a positive constant.
  const steps: TS.Node[] = [];
  const writes: TS.Node[] = [];
  const visit = (n: TS.Node): void => {
    const target = writtenIdentifier(p, n);
    if (target && p.symbolAt(target) === counterSym) (isStep(p, n, up, consts) ? steps : writes).push(n);
    ts.forEachChild(n, visit);
  };
  visit(loop.statement);
  if (ts.isForStatement(loop)) {
    if (loop.incrementor) visit(loop.incrementor);
    if (writes.length) refuse(writes[0], "the body assigns the counter");
    if (steps.length !== 1 || !loop.incrementor || !isStep(p, loop.incrementor, up, consts)) refuse(loop.incrementor ?? loop, `the counter is not stepped ${up ? "up" : "down"} by a constant in the loop's header`);
    return;
  }
  // while / do-while: the step must be the body's last statement and never skipped.
  if (writes.length) refuse(writes[0], "the body assigns the counter other than by its step");
  const body = loop.statement;
  const last = ts.isBlock(body) ? body.statements[body.statements.length - 1] : body;
  if (steps.length !== 1 || !last || !ts.isExpressionStatement(last) || !isStep(p, last.expression, up, consts))
    refuse(loop, `the counter is not stepped ${up ? "up" : "down"} by a constant as the body's last statement`);
  const cont = findContinue(p, body);
  if (cont) refuse(cont, "`continue` would skip the counter's step");
}

export function loopCondition(p: CheckedSource, loop: Loop): TS.Expression | undefined {
  return p.ts.isForStatement(loop) ? loop.condition : loop.expression;
}

/** The counter comparison that bounds the loop; in `a && b`, either side may be it. */
function comparison(p: CheckedSource, e: TS.Expression): { counter: TS.Identifier; op: "<" | "<=" | ">" | ">="; bound: TS.Expression } | undefined {
  const { ts } = p;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isBinaryExpression(e)) return undefined;
  if (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return comparison(p, e.left) ?? comparison(p, e.right);
  const ops: Record<number, "<" | "<=" | ">" | ">="> = {
    [ts.SyntaxKind.LessThanToken]: "<",
    [ts.SyntaxKind.LessThanEqualsToken]: "<=",
    [ts.SyntaxKind.GreaterThanToken]: ">",
    [ts.SyntaxKind.GreaterThanEqualsToken]: ">=",
  };
  const flip = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as const;
  const op = ops[e.operatorToken.kind];
  if (!op) return undefined;
  if (ts.isIdentifier(e.left)) return { counter: e.left, op, bound: e.right };
  if (ts.isIdentifier(e.right)) return { counter: e.right, op: flip[op], bound: e.left };
  return undefined;
}

/** The identifier an assignment, `++` or `--` writes, if `n` is one. */
function writtenIdentifier(p: CheckedSource, n: TS.Node): TS.Identifier | undefined {
  const { ts } = p;
  if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken))
    return ts.isIdentifier(n.operand) ? n.operand : undefined;
  if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment)
    return ts.isIdentifier(n.left) ? n.left : undefined;
  return undefined;
}

function isStep(p: CheckedSource, n: TS.Node, up: boolean, consts: Map<TS.Symbol, TS.VariableDeclaration>): boolean {
  const { ts } = p;
  if (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) return n.operator === (up ? ts.SyntaxKind.PlusPlusToken : ts.SyntaxKind.MinusMinusToken);
  if (ts.isBinaryExpression(n) && n.operatorToken.kind === (up ? ts.SyntaxKind.PlusEqualsToken : ts.SyntaxKind.MinusEqualsToken)) {
    const v = constantValue(p, n.right, consts);
    return v !== undefined && v > 0n;
  }
  return false;
}

function findContinue(p: CheckedSource, body: TS.Node): TS.Node | undefined {
  const { ts } = p;
  let found: TS.Node | undefined;
  const visit = (n: TS.Node, nested: boolean): void => {
    if (found) return;
    if (ts.isContinueStatement(n) && (!nested || n.label)) found = n;
    const inner = nested || ts.isForStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isForOfStatement(n);
    ts.forEachChild(n, (c) => visit(c, inner));
  };
  visit(body, false);
  return found;
}
