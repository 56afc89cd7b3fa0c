// Bottom-up rewriting of every expression in statements: the shrinker's substitutions (a
// parameter by 0, a call without one argument) without a traversal of their own each.

import type { Expr, Stmt } from "./ast.js";

export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const m = (x: Expr) => mapExpr(x, f);
  switch (e.kind) {
    case "lit":
    case "bool":
    case "var":
      return f(e);
    case "arith":
    case "compare":
    case "logic":
      return f({ ...e, left: m(e.left), right: m(e.right) } as Expr);
    case "unary":
    case "not":
    case "cast":
      return f({ ...e, operand: m(e.operand) } as Expr);
    case "cond":
      return f({ ...e, test: m(e.test), then: m(e.then), else: m(e.else) });
    case "call":
      return f({ ...e, args: e.args.map(m) });
  }
}

export function mapStmts(stmts: readonly Stmt[], f: (e: Expr) => Expr): Stmt[] {
  return stmts.map((s): Stmt => {
    switch (s.kind) {
      case "let":
        return { ...s, init: mapExpr(s.init, f) };
      case "assign":
      case "return":
        return { ...s, value: mapExpr(s.value, f) };
      case "incdec":
        return s;
      case "if":
        return { ...s, test: mapExpr(s.test, f), then: mapStmts(s.then, f), else: s.else && mapStmts(s.else, f) };
      case "for":
        return { ...s, body: mapStmts(s.body, f) };
    }
  });
}

/** Every expression node in the statements. */
export function exprsOf(stmts: readonly Stmt[]): Expr[] {
  const found: Expr[] = [];
  mapStmts(stmts, (e) => (found.push(e), e));
  return found;
}
