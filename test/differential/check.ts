// Well-formedness of a program: scoping, the language's typing rules and the rules TypeScript
// enforces on the printed source (booleans never used as integers, no literal-vs-literal `===`,
// …). `retype` also recomputes every expression's `ty`, so the shrinker can edit trees freely
// and keep only the edits that are still valid programs.

import * as A from "./ast.js";
import type { Expr, Func, Program, Stmt } from "./ast.js";
import { INT_TYPES, isInt, type Type } from "./types.js";

export interface CheckOptions {
  /** Deepest expression allowed (a leaf has depth 1); unlimited when absent. */
  maxExprDepth?: number;
  /** Deepest loop nesting allowed; unlimited when absent. */
  maxLoopDepth?: number;
}

export class CheckError extends Error {}

const MAX_SAFE = (1n << 53n) - 1n;
const RESERVED = new Set<string>([...INT_TYPES, "boolean", "true", "false", "let", "const", "for", "if", "else", "return", "function"]);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Var {
  ty: Type;
  mutable: boolean;
}

/** A copy of `p` with every `ty` recomputed; throws CheckError when `p` is not a valid program. */
export function retype(p: Program, opts: CheckOptions = {}): Program {
  const done = new Map<string, Func>();
  const functions = p.functions.map((f) => {
    if (!IDENT.test(f.name) || RESERVED.has(f.name) || done.has(f.name)) fail(`bad or duplicate function name '${f.name}'`);
    const g = new FunctionChecker(f, done, opts).run();
    done.set(g.name, g);
    return g;
  });
  return { functions };
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
    if (!IDENT.test(name) || RESERVED.has(name) || this.lookup(name) || this.earlier.has(name) || name === this.f.name) fail(`${this.f.name}: cannot declare '${name}'`);
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
    }
  }

  private target(name: string): Var {
    const v = this.lookup(name);
    if (!v) fail(`${this.f.name}: assigns undeclared '${name}'`);
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
        return A.ref(e.name, v.ty);
      }
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
