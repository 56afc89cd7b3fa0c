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
