// Bottom-up rewriting of every expression in statements: the shrinker's substitutions (a
// parameter by 0, a call without one argument) without a traversal of their own each.

import { isNestedInit, type Expr, type FieldInit, type ObjectLit, type Stmt } from "./ast.js";

export function mapExpr(e: Expr, f: (e: Expr) => Expr): Expr {
  const m = (x: Expr) => mapExpr(x, f);
  switch (e.kind) {
    case "lit":
    case "bool":
    case "var":
    case "field":
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
      case "fieldIncdec":
        return s;
      case "letStruct":
        return { ...s, init: mapObject(s.init, f) };
      case "fieldAssign":
        // The target is a place, not a value: only the assigned value is rewritten.
        return { ...s, value: mapExpr(s.value, f) };
      case "if":
        return { ...s, test: mapExpr(s.test, f), then: mapStmts(s.then, f), else: s.else && mapStmts(s.else, f) };
      case "for":
        return { ...s, body: mapStmts(s.body, f) };
    }
  });
}

export function mapObject(o: ObjectLit, f: (e: Expr) => Expr): ObjectLit {
  return { ...o, fields: o.fields.map((x): FieldInit => (isNestedInit(x) ? { ...x, value: mapObject(x.value, f) } : { ...x, value: mapExpr(x.value, f) })) };
}

/** Every expression node in the statements. */
export function exprsOf(stmts: readonly Stmt[]): Expr[] {
  const found: Expr[] = [];
  mapStmts(stmts, (e) => (found.push(e), e));
  return found;
}

/** Every statement, nested ones included, in order. */
export function stmtsOf(stmts: readonly Stmt[]): Stmt[] {
  return stmts.flatMap((s) => [s, ...(s.kind === "if" ? [...stmtsOf(s.then), ...stmtsOf(s.else ?? [])] : s.kind === "for" ? stmtsOf(s.body) : [])]);
}

/** Bottom-up rewriting of statements: `f` replaces each (nested blocks done first) by a list. */
export function rewriteStmts(stmts: readonly Stmt[], f: (s: Stmt) => Stmt[]): Stmt[] {
  return stmts.flatMap((s) => {
    if (s.kind === "if") return f({ ...s, then: rewriteStmts(s.then, f), else: s.else && rewriteStmts(s.else, f) });
    if (s.kind === "for") return f({ ...s, body: rewriteStmts(s.body, f) });
    return f(s);
  });
}
