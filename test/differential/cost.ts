// A static estimate of the work a function does when it runs: nodes visited, loops multiplied
// by their bound, calls by their callee's cost, both arms of an if counted (the verifier walks
// both). It keeps generated programs fast to interpret and small enough for the BPF verifier.

import { isNestedInit, type Expr, type Func, type ObjectLit, type Stmt } from "./ast.js";

export function exprCost(e: Expr, costs: ReadonlyMap<string, number>): number {
  switch (e.kind) {
    case "lit":
    case "bool":
    case "var":
    case "field": // a field is a local's stack slot at an offset
      return 1;
    case "arith":
    case "compare":
    case "logic":
      return 1 + exprCost(e.left, costs) + exprCost(e.right, costs);
    case "unary":
    case "not":
    case "cast":
      return 1 + exprCost(e.operand, costs);
    case "cond":
      return 1 + exprCost(e.test, costs) + exprCost(e.then, costs) + exprCost(e.else, costs);
    case "call":
      return 2 + (costs.get(e.fn) ?? 0) + e.args.reduce((s, a) => s + exprCost(a, costs), 0);
  }
}

export function stmtsCost(stmts: readonly Stmt[], costs: ReadonlyMap<string, number>): number {
  return stmts.reduce((s, x) => s + stmtCost(x, costs), 0);
}

export function stmtCost(s: Stmt, costs: ReadonlyMap<string, number>): number {
  switch (s.kind) {
    case "let":
      return 1 + exprCost(s.init, costs);
    case "assign":
    case "return":
      return 1 + exprCost(s.value, costs);
    case "incdec":
    case "fieldIncdec":
      return 1;
    case "fieldAssign":
      return 1 + exprCost(s.value, costs);
    case "letStruct":
      return objectCost(s.init, costs);
    case "if":
      return 1 + exprCost(s.test, costs) + stmtsCost(s.then, costs) + (s.else ? stmtsCost(s.else, costs) : 0);
    case "for":
      return 1 + s.bound * (2 + stmtsCost(s.body, costs));
  }
}

/** An object literal costs what a `let` per integer field would. */
export function objectCost(o: ObjectLit, costs: ReadonlyMap<string, number>): number {
  return o.fields.reduce((s, x) => s + (isNestedInit(x) ? objectCost(x.value, costs) : 1 + exprCost(x.value, costs)), 0);
}

/** Cost of each function, in order (a function's cost includes the calls it makes). */
export function functionCosts(fns: readonly Func[]): Map<string, number> {
  const costs = new Map<string, number>();
  for (const f of fns) costs.set(f.name, stmtsCost(f.body, costs));
  return costs;
}
