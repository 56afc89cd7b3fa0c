// Compile-time integer values: literals, negated literals, module-level consts bound to one,
// and enum members. Loop bounds and switch labels need them; everything else lowers
// expressions and lets LLVM fold.

import type * as TS from "typescript";
import type { CheckedSource } from "./checked-source.js";

export function constantValue(p: CheckedSource, e: TS.Expression, consts: ReadonlyMap<TS.Symbol, TS.VariableDeclaration>, depth = 0): bigint | undefined {
  const { ts } = p;
  if (depth > 16) return undefined;
  if (ts.isParenthesizedExpression(e)) return constantValue(p, e.expression, consts, depth + 1);
  if (ts.isNumericLiteral(e)) return integerLiteral(e.getText());
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = constantValue(p, e.operand, consts, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    const v = p.checker.getConstantValue(e);
    return typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const a = constantValue(p, e.left, consts, depth + 1);
    const b = a === undefined ? undefined : constantValue(p, e.right, consts, depth + 1);
    return b === undefined ? undefined : fold(ts, e.operatorToken.kind, a!, b);
  }
  if (ts.isIdentifier(e)) {
    const sym = p.symbolAt(e);
    const decl = sym && consts.get(sym);
    return decl?.initializer ? constantValue(p, decl.initializer, consts, depth + 1) : undefined;
  }
  return undefined;
}

/** The value of an integer literal's text (decimal, hex, octal, binary, with `_`), or undefined for floats. */
export function integerLiteral(text: string): bigint | undefined {
  const t = text.replace(/_/g, "");
  if (!/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\d+)n?$/.test(t)) return undefined;
  return BigInt(t.replace(/n$/, ""));
}

/** Arithmetic a size is written with (`256 * 1024`, `1 << 20`), on exact integers: the caller checks the range. */
function fold(ts: typeof TS, op: TS.SyntaxKind, a: bigint, b: bigint): bigint | undefined {
  const k = ts.SyntaxKind;
  if (op === k.PlusToken) return a + b;
  if (op === k.MinusToken) return a - b;
  if (op === k.AsteriskToken) return a * b;
  if (op === k.SlashToken) return b === 0n ? undefined : a / b;
  if (op === k.LessThanLessThanToken) return b >= 0n && b < 64n ? a << b : undefined;
  return undefined;
}
