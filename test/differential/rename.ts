// Renaming a program's global names, so that several programs can share one source file (the
// kernel half compiles many at once): functions and struct declarations get a common prefix,
// and every reference to them follows. Locals, parameters and field names are not global.

import { isNestedInit, isStructType, type Expr, type FieldInit, type ObjectLit, type Program, type Stmt } from "./ast.js";
import { mapExpr, rewriteStmts } from "./walk.js";

/**
 * A copy of `p` with `prefix` before every function name (`functions[i].name`, a call's `fn`)
 * and every struct name (`structs[i].name`, a nested field's `ty.struct`, a `letStruct`'s
 * `struct`). Renaming a valid program with a prefix that keeps names identifiers (`p7_`) gives
 * a valid program that evaluates the same.
 */
export function renameProgram(p: Program, prefix: string): Program {
  const fn = (e: Expr): Expr => (e.kind === "call" ? { ...e, fn: prefix + e.fn } : e);
  const exprs = (stmts: readonly Stmt[]) =>
    rewriteStmts(stmts, (s): Stmt[] => {
      switch (s.kind) {
        case "let":
          return [{ ...s, init: mapExpr(s.init, fn) }];
        case "assign":
        case "fieldAssign":
        case "return":
          return [{ ...s, value: mapExpr(s.value, fn) }];
        case "if":
          return [{ ...s, test: mapExpr(s.test, fn) }];
        case "letStruct":
          return [{ ...s, struct: prefix + s.struct, init: object(s.init) }];
        case "incdec":
        case "fieldIncdec":
        case "for":
          return [s];
      }
    });
  const object = (o: ObjectLit): ObjectLit => ({
    ...o,
    fields: o.fields.map((x): FieldInit => (isNestedInit(x) ? { ...x, value: object(x.value) } : { ...x, value: mapExpr(x.value, fn) })),
  });
  const functions = p.functions.map((f) => ({ ...f, name: prefix + f.name, params: f.params.map((x) => ({ ...x })), body: exprs(f.body) }));
  if (!p.structs) return { functions };
  const structs = p.structs.map((d) => ({
    name: prefix + d.name,
    fields: d.fields.map((x) => ({ name: x.name, ty: isStructType(x.ty) ? { struct: prefix + x.ty.struct } : x.ty })),
  }));
  return { structs, functions };
}
