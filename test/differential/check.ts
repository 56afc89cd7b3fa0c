// Well-formedness of a program: scoping, the language's typing rules and the rules TypeScript
// enforces on the printed source (booleans never used as integers, no literal-vs-literal `===`,
// …). `retype` also recomputes every expression's `ty`, so the shrinker can edit trees freely
// and keep only the edits that are still valid programs. Structs: declared before they are used,
// every field given once by a struct local's literal, only integer fields read or written, and
// a struct local never used as a value (no copies, arguments or results).

import * as A from "./ast.js";
import type { Expr, FieldInit, FieldRef, Func, ObjectLit, Program, Stmt, StructDecl, StructField } from "./ast.js";
import { INT_TYPES, isInt, type IntType, type Type } from "./reference-types.js";

export interface CheckOptions {
  /** Deepest expression allowed (a leaf has depth 1); unlimited when absent. */
  maxExprDepth?: number;
  /** Deepest loop nesting allowed; unlimited when absent. */
  maxLoopDepth?: number;
}

export class CheckError extends Error {}

const MAX_SAFE = (1n << 53n) - 1n;
const RESERVED = new Set<string>([...INT_TYPES, "boolean", "true", "false", "let", "const", "for", "if", "else", "return", "function", "interface", "number", "bigint", "string", "object", "any", "unknown", "never", "void", "undefined", "null"]);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A local: an integer or boolean, or a struct local (a set of fields, never a value itself). */
type Var = { ty: Type; mutable: boolean; struct?: undefined } | { struct: StructDecl };

/**
 * A copy of `p` with every `ty` recomputed (`structs` always present); throws CheckError when
 * `p` is not a valid program.
 */
export function retype(p: Program, opts: CheckOptions = {}): Program {
  const fnNames = new Set(p.functions.map((f) => f.name));
  const structs = new Map<string, StructDecl>();
  for (const d of p.structs ?? []) {
    if (!IDENT.test(d.name) || RESERVED.has(d.name) || structs.has(d.name) || fnNames.has(d.name)) fail(`bad or duplicate struct name '${d.name}'`);
    if (!Array.isArray(d.fields) || d.fields.length === 0) fail(`struct ${d.name} has no fields`);
    const names = new Set<string>();
    const fields = d.fields.map((x): StructField => {
      if (!IDENT.test(x.name) || RESERVED.has(x.name) || names.has(x.name)) fail(`struct ${d.name}: bad or duplicate field name '${x.name}'`);
      names.add(x.name);
      if (typeof x.ty === "string") {
        if (!INT_TYPES.includes(x.ty)) fail(`struct ${d.name}: field '${x.name}' has type ${x.ty}`);
        return { name: x.name, ty: x.ty };
      }
      // Only structs declared before: no recursion, and the declarations print in order.
      if (!structs.has(x.ty?.struct)) fail(`struct ${d.name}: field '${x.name}' has a struct type not declared before it`);
      return { name: x.name, ty: { struct: x.ty.struct } };
    });
    structs.set(d.name, { name: d.name, fields });
  }
  const done = new Map<string, Func>();
  const functions = p.functions.map((f) => {
    if (!IDENT.test(f.name) || RESERVED.has(f.name) || done.has(f.name)) fail(`bad or duplicate function name '${f.name}'`);
    const g = new FunctionChecker(f, done, structs, opts).run();
    done.set(g.name, g);
    return g;
  });
  return { structs: [...structs.values()], functions };
}

/** null when `p` is valid, else why not. */
export function checkProgram(p: Program, opts: CheckOptions = {}): string | null {
  try {
    retype(p, opts);
    return null;
  } catch (e) {
    if (e instanceof CheckError) return e.message;
    throw e;
  }
}

function fail(why: string): never {
  throw new CheckError(why);
}

/** TypeScript types the expression as `boolean` (so it may initialise a `boolean` local). */
export function isTsBoolean(e: Expr): boolean {
  switch (e.kind) {
    case "compare":
    case "not":
    case "bool":
      return true;
    case "var":
      return e.ty === "bool";
    case "cond":
      return isTsBoolean(e.then) && isTsBoolean(e.else);
    case "logic":
      return isTsBoolean(e.left) && isTsBoolean(e.right);
    default:
      return false;
  }
}

/** TypeScript gives the expression a literal type (`5`, `1 | 2`): `===` between two is an error. */
export function isTsLiteral(e: Expr): boolean {
  return e.kind === "lit" || (e.kind === "cond" && isTsLiteral(e.then) && isTsLiteral(e.else));
}

/**
 * TypeScript (5.6+) rejects a test that is syntactically always truthy: a numeric literal other
 * than 0 or 1 (`!5`, `5 && x`, `if (7)`), or a ternary whose arms both are. A negative literal is
 * a unary minus to TypeScript, so it passes.
 */
export function isTsAlwaysTruthy(e: Expr): boolean {
  if (e.kind === "lit") return e.value > 1n;
  return e.kind === "cond" && isTsAlwaysTruthy(e.then) && isTsAlwaysTruthy(e.else);
}

class FunctionChecker {
  private readonly scopes: Map<string, Var>[] = [];
  private loopDepth = 0;

  constructor(
    private readonly f: Func,
    private readonly earlier: ReadonlyMap<string, Func>,
    private readonly structs: ReadonlyMap<string, StructDecl>,
    private readonly opts: CheckOptions,
  ) {}

  run(): Func {
    const f = this.f;
    this.scopes.push(new Map());
    for (const p of f.params) {
      if (!isInt(p.ty)) fail(`${f.name}: parameter '${p.name}' is not an integer`);
      this.declare(p.name, { ty: p.ty, mutable: true });
    }
    if (!isInt(f.ret)) fail(`${f.name}: return type is not an integer`);
    // TypeScript requires every path to return; a final `return` guarantees it.
    if (f.body.at(-1)?.kind !== "return") fail(`${f.name}: the body does not end with a return`);
    const body = this.block(f.body, false);
    return { name: f.name, params: f.params.map((p) => ({ ...p })), ret: f.ret, body };
  }

  private declare(name: string, v: Var): void {
    // No shadowing at all: names stay unambiguous when the shrinker inlines a block.
    if (!IDENT.test(name) || RESERVED.has(name) || this.lookup(name) || this.earlier.has(name) || this.structs.has(name) || name === this.f.name) fail(`${this.f.name}: cannot declare '${name}'`);
    this.scopes[this.scopes.length - 1].set(name, v);
  }

  private lookup(name: string): Var | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].get(name);
      if (v) return v;
    }
    return undefined;
  }

  private block(stmts: Stmt[], scoped = true, extra?: [string, Var]): Stmt[] {
    if (scoped) this.scopes.push(new Map());
    if (extra) this.declare(...extra);
    const out = stmts.map((s) => this.stmt(s));
    if (scoped) this.scopes.pop();
    return out;
  }

  private stmt(s: Stmt): Stmt {
    switch (s.kind) {
      case "let": {
        const init = this.expr(s.init);
        this.assignable(s.ty, init, `'${s.name}'`);
        this.declare(s.name, { ty: s.ty, mutable: s.mutable });
        return A.letStmt(s.name, s.ty, init, s.mutable);
      }
      case "assign": {
        const v = this.target(s.name);
        const value = this.expr(s.value);
        if (s.op === "=") this.assignable(v.ty, value, `'${s.name}'`);
        else if (!isInt(v.ty) || !isInt(value.ty)) fail(`${this.f.name}: ${s.op} on a boolean`);
        return A.assign(s.name, s.op, value);
      }
      case "incdec":
        if (!isInt(this.target(s.name).ty)) fail(`${this.f.name}: ${s.op} on a boolean`);
        return A.incdec(s.name, s.op);
      case "if":
        return A.ifStmt(this.test(s.test), this.block(s.then), s.else ? this.block(s.else) : null);
      case "for": {
        if (!Number.isInteger(s.bound) || s.bound < 1 || s.bound > 0x7fffffff) fail(`${this.f.name}: bad loop bound ${s.bound}`);
        if (this.opts.maxLoopDepth !== undefined && this.loopDepth >= this.opts.maxLoopDepth) fail(`${this.f.name}: loops nested too deep`);
        this.loopDepth++;
        // The counter is read-only: the compiler (and the verifier) must see the loop end.
        const body = this.block(s.body, true, [s.counter, { ty: "u32", mutable: false }]);
        this.loopDepth--;
        return A.forStmt(s.counter, s.bound, body);
      }
      case "return": {
        const value = this.expr(s.value);
        if (!isInt(value.ty)) fail(`${this.f.name}: returns a boolean`);
        return A.ret(value);
      }
      case "letStruct": {
        const d = this.structs.get(s.struct) ?? fail(`${this.f.name}: '${s.name}' has undeclared struct type '${s.struct}'`);
        const init = this.object(s.init, d, `'${s.name}'`);
        this.declare(s.name, { struct: d });
        return A.letStruct(s.name, d.name, init);
      }
      case "fieldAssign": {
        const target = this.field(s.target);
        const value = this.expr(s.value);
        if (s.op === "=") this.assignable(target.ty, value, `${target.name}.${target.path.join(".")}`);
        else if (!isInt(value.ty)) fail(`${this.f.name}: ${s.op} with a boolean`);
        return A.fieldAssign(target, s.op, value);
      }
      case "fieldIncdec":
        return A.fieldIncdec(this.field(s.target), s.op);
    }
  }

  /** An object literal for struct `d`: every field exactly once, each value fit for its field. */
  private object(o: ObjectLit, d: StructDecl, what: string): ObjectLit {
    if (o?.kind !== "object" || !Array.isArray(o.fields)) fail(`${this.f.name}: ${what} is not initialised by an object literal`);
    const given = new Set<string>();
    const fields = o.fields.map((x): FieldInit => {
      const decl = d.fields.find((y) => y.name === x.name) ?? fail(`${this.f.name}: ${what}: ${d.name} has no field '${x.name}'`);
      if (given.has(x.name)) fail(`${this.f.name}: ${what}: field '${x.name}' given twice`);
      given.add(x.name);
      const inner = `${what}.${x.name}`;
      if (A.isStructType(decl.ty)) {
        if (!A.isNestedInit(x)) fail(`${this.f.name}: ${inner} needs an object literal`);
        return { name: x.name, value: this.object(x.value, this.structs.get(decl.ty.struct)!, inner) };
      }
      if (A.isNestedInit(x)) fail(`${this.f.name}: ${inner} is an integer, not an object`);
      const value = this.expr(x.value);
      this.assignable(decl.ty, value, inner);
      return { name: x.name, ty: decl.ty, value };
    });
    if (given.size !== d.fields.length) fail(`${this.f.name}: ${what} leaves fields of ${d.name} out`);
    return { kind: "object", fields };
  }

  /** `name.path…` with its type: an integer field of a struct local, through nested structs. */
  private field(e: FieldRef): FieldRef {
    const v = this.lookup(e.name);
    if (!v?.struct) fail(`${this.f.name}: '${e.name}' is not a struct local here`);
    if (!Array.isArray(e.path) || e.path.length === 0) fail(`${this.f.name}: a struct '${e.name}' used as a value`);
    let d = v.struct;
    let ty: IntType | undefined;
    e.path.forEach((name, i) => {
      if (ty) fail(`${this.f.name}: ${e.name}.${e.path.slice(0, i).join(".")} is an integer, not a struct`);
      const x = d.fields.find((y) => y.name === name) ?? fail(`${this.f.name}: ${d.name} has no field '${name}'`);
      if (A.isStructType(x.ty)) d = this.structs.get(x.ty.struct)!;
      else ty = x.ty;
    });
    if (!ty) fail(`${this.f.name}: a struct ${e.name}.${e.path.join(".")} used as a value`);
    return A.field(e.name, e.path, ty);
  }

  private target(name: string): Var & { struct?: undefined } {
    const v = this.lookup(name);
    if (!v) fail(`${this.f.name}: assigns undeclared '${name}'`);
    if (v.struct) fail(`${this.f.name}: assigns struct '${name}' as a whole`);
    if (!v.mutable) fail(`${this.f.name}: assigns read-only '${name}'`);
    return v;
  }

  private assignable(ty: Type, value: Expr, what: string): void {
    if (ty === "bool" ? !isTsBoolean(value) : !isInt(value.ty)) fail(`${this.f.name}: ${what} of type ${ty} gets a ${value.ty}`);
  }

  /** An expression TypeScript tests for truthiness (if, ternary test, !, left of && and ||). */
  private test(e: Expr, depth = 1): Expr {
    if (isTsAlwaysTruthy(e)) fail(`${this.f.name}: a literal tested for truthiness`);
    return this.expr(e, depth);
  }

  private expr(e: Expr, depth = 1): Expr {
    if (this.opts.maxExprDepth !== undefined && depth > this.opts.maxExprDepth) fail(`${this.f.name}: expression too deep`);
    const sub = (x: Expr) => this.expr(x, depth + 1);
    const int = (x: Expr) => {
      const y = sub(x);
      if (!isInt(y.ty)) fail(`${this.f.name}: a boolean used as an integer`);
      return y;
    };
    switch (e.kind) {
      case "lit":
        // TypeScript numbers are doubles: a literal beyond 2^53 would not mean what it says.
        if (e.value > MAX_SAFE || e.value < -MAX_SAFE) fail(`literal ${e.value} is not exact in TypeScript`);
        return A.lit(e.value, e.hex);
      case "bool":
        return A.boolLit(e.value);
      case "var": {
        const v = this.lookup(e.name) ?? fail(`${this.f.name}: '${e.name}' is not declared here`);
        if (v.struct) fail(`${this.f.name}: struct '${e.name}' used as a value`);
        return A.ref(e.name, v.ty);
      }
      case "field":
        return this.field(e);
      case "arith":
        return A.arith(e.op, int(e.left), int(e.right));
      case "compare": {
        const [l, r] = [int(e.left), int(e.right)];
        if ((e.op === "===" || e.op === "!==") && isTsLiteral(l) && isTsLiteral(r)) fail(`${this.f.name}: ${e.op} between two literals`);
        return A.compare(e.op, l, r);
      }
      case "logic":
        return A.logic(e.op, this.test(e.left, depth + 1), sub(e.right));
      case "unary":
        return A.unary(e.op, int(e.operand));
      case "not":
        return A.not(this.test(e.operand, depth + 1));
      case "cond": {
        const [t, a, b] = [this.test(e.test, depth + 1), sub(e.then), sub(e.else)];
        if ((a.ty === "bool") !== (b.ty === "bool")) fail(`${this.f.name}: ternary mixes boolean and integer`);
        return A.cond(t, a, b);
      }
      case "cast":
        return A.cast(e.to, int(e.operand));
      case "call": {
        const f = this.earlier.get(e.fn) ?? fail(`${this.f.name}: calls '${e.fn}', which is not defined before it`);
        if (f.params.length !== e.args.length) fail(`${this.f.name}: calls ${e.fn} with ${e.args.length} arguments`);
        return A.call(f, e.args.map(int));
      }
    }
  }
}
