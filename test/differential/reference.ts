// The reference semantics: a direct BigInt interpreter of the language description (C with
// int = 32 and long = 64 bits, BPF's division by zero). It shares nothing with compiler/, so a
// disagreement with the kernel's result points at one of the two. A struct local is a set of
// typed cells, one per integer field, as the program declares them (not as the tree's `ty` says).

import { isNestedInit, isStructType, type ArithOp, type CompareOp, type Expr, type FieldRef, type Func, type ObjectLit, type Program, type Stmt, type StructDecl } from "./ast.js";
import { bits, common, convertValue, isSigned, literalType, promotedType, wrap, type IntType, type Type } from "./reference-types.js";

/** A typed value; booleans are 0n / 1n. */
interface Value {
  v: bigint;
  ty: Type;
}

/** A struct local: a cell per field (a nested struct's cells inside), each of its declared type. */
interface StructCell {
  fields: Map<string, Cell>;
}

type Cell = Value | StructCell;

const isStructCell = (c: Cell): c is StructCell => "fields" in c;

/**
 * Runs `fn` of `p` on `args` (each converted to its parameter's type first, as a call would) and
 * returns the result as an exact value of the declared return type: negative for signed types.
 */
export function evaluate(p: Program, fn: string, args: bigint[]): bigint {
  const f = p.functions.find((g) => g.name === fn);
  if (!f) throw new Error(`no function ${fn}`);
  if (args.length !== f.params.length) throw new Error(`${fn} takes ${f.params.length} arguments, got ${args.length}`);
  return new Interpreter(p).call(f, args.map((a, i) => ({ v: wrap(a, f.params[i].ty), ty: f.params[i].ty })));
}

/** `a op b` on typed values, with the language's conversions. Exported for unit tests. */
export function arithmetic(op: ArithOp, a: Value, b: Value): Value {
  if (op === "<<" || op === ">>" || op === ">>>") return shift(op, a, b);
  const ty = common(a.ty, b.ty);
  const x = convertValue(a.v, a.ty, ty);
  const y = convertValue(b.v, b.ty, ty);
  switch (op) {
    case "+":
      return { v: wrap(x + y, ty), ty };
    case "-":
      return { v: wrap(x - y, ty), ty };
    case "*":
      return { v: wrap(x * y, ty), ty };
    case "&":
      return { v: wrap(x & y, ty), ty };
    case "|":
      return { v: wrap(x | y, ty), ty };
    case "^":
      return { v: wrap(x ^ y, ty), ty };
    case "/":
      return { v: divide(x, y, ty).q, ty };
    case "%":
      return { v: divide(x, y, ty).r, ty };
  }
}

/** BPF division: x / 0 = 0 and x % 0 = x; signed division on magnitudes, truncating toward zero. */
function divide(x: bigint, y: bigint, ty: IntType): { q: bigint; r: bigint } {
  const abs = (n: bigint) => (n < 0n ? -n : n);
  const ax = abs(x);
  const ay = abs(y);
  let q = ay === 0n ? 0n : ax / ay;
  let r = ay === 0n ? ax : ax % ay;
  if (isSigned(ty)) {
    if (x < 0n !== y < 0n) q = -q;
    if (x < 0n) r = -r;
  }
  // Wrapping makes INT_MIN / -1 = INT_MIN (the magnitude 2^(w-1) negated is itself).
  return { q: wrap(q, ty), r: wrap(r, ty) };
}

function shift(op: "<<" | ">>" | ">>>", a: Value, b: Value): Value {
  // The result has the promoted left type; the count is converted to it, then masked.
  const ty = promotedType(a.ty);
  const w = bits(ty);
  const x = convertValue(a.v, a.ty, ty);
  const n = convertValue(b.v, b.ty, ty) & BigInt(w - 1);
  switch (op) {
    case "<<":
      return { v: wrap(x << n, ty), ty };
    case ">>":
      // BigInt >> floors, which is the arithmetic shift for a negative signed value.
      return { v: wrap(x >> n, ty), ty };
    case ">>>":
      return { v: wrap(BigInt.asUintN(w, x) >> n, ty), ty };
  }
}

export function comparison(op: CompareOp, a: Value, b: Value): boolean {
  const ty = common(a.ty, b.ty);
  const x = convertValue(a.v, a.ty, ty);
  const y = convertValue(b.v, b.ty, ty);
  switch (op) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    case ">=":
      return x >= y;
    case "===":
      return x === y;
    case "!==":
      return x !== y;
  }
}

const I32 = (v: bigint): Value => ({ v, ty: "i32" });
const BOOL = (b: boolean): Value => ({ v: b ? 1n : 0n, ty: "bool" });

class Interpreter {
  private readonly functions: Map<string, Func>;
  private readonly structs: Map<string, StructDecl>;

  constructor(p: Program) {
    this.functions = new Map(p.functions.map((f) => [f.name, f]));
    this.structs = new Map((p.structs ?? []).map((d) => [d.name, d]));
  }

  private struct(name: string): StructDecl {
    const d = this.structs.get(name);
    if (!d) throw new Error(`no struct ${name}`);
    return d;
  }

  call(f: Func, args: Value[]): bigint {
    const env = new Env();
    f.params.forEach((p, i) => env.declare(p.name, { v: convertValue(args[i].v, args[i].ty, p.ty), ty: p.ty }));
    const r = this.block(f.body, env);
    if (r === undefined) throw new Error(`${f.name} ends without returning`);
    return convertValue(r.v, r.ty, f.ret);
  }

  /** Runs statements; a returned value stops the block and is passed up. */
  private block(stmts: Stmt[], env: Env): Value | undefined {
    env.push();
    try {
      for (const s of stmts) {
        const r = this.stmt(s, env);
        if (r) return r;
      }
      return undefined;
    } finally {
      env.pop();
    }
  }

  private stmt(s: Stmt, env: Env): Value | undefined {
    switch (s.kind) {
      case "let": {
        const x = this.expr(s.init, env);
        env.declare(s.name, { v: convertValue(x.v, x.ty, s.ty), ty: s.ty });
        return undefined;
      }
      case "assign": {
        const old = env.value(s.name);
        const x = this.expr(s.value, env);
        const r = s.op === "=" ? x : arithmetic(s.op.slice(0, -1) as ArithOp, old, x);
        env.set(s.name, { v: convertValue(r.v, r.ty, old.ty), ty: old.ty });
        return undefined;
      }
      case "incdec": {
        const old = env.value(s.name);
        const r = arithmetic(s.op === "++" ? "+" : "-", old, I32(1n));
        env.set(s.name, { v: convertValue(r.v, r.ty, old.ty), ty: old.ty });
        return undefined;
      }
      case "if":
        if (this.truthy(s.test, env)) return this.block(s.then, env);
        return s.else ? this.block(s.else, env) : undefined;
      case "for":
        for (let i = 0n; i < BigInt(s.bound); i = BigInt.asUintN(32, i + 1n)) {
          env.push();
          env.declare(s.counter, { v: i, ty: "u32" });
          const r = this.block(s.body, env);
          env.pop();
          if (r) return r;
        }
        return undefined;
      case "return":
        return this.expr(s.value, env);
      case "letStruct":
        env.declare(s.name, this.object(s.init, this.struct(s.struct), env));
        return undefined;
      case "fieldAssign": {
        const old = this.field(s.target, env);
        const x = this.expr(s.value, env);
        const r = s.op === "=" ? x : arithmetic(s.op.slice(0, -1) as ArithOp, old, x);
        this.setField(s.target, { v: convertValue(r.v, r.ty, old.ty), ty: old.ty }, env);
        return undefined;
      }
      case "fieldIncdec": {
        const old = this.field(s.target, env);
        const r = arithmetic(s.op === "++" ? "+" : "-", old, I32(1n));
        this.setField(s.target, { v: convertValue(r.v, r.ty, old.ty), ty: old.ty }, env);
        return undefined;
      }
    }
  }

  /** The cells of a struct `d` from an object literal: each value converted to its field's type. */
  private object(o: ObjectLit, d: StructDecl, env: Env): StructCell {
    const fields = new Map<string, Cell>();
    for (const x of o.fields) {
      const decl = d.fields.find((y) => y.name === x.name);
      if (!decl) throw new Error(`${d.name} has no field ${x.name}`);
      if (isStructType(decl.ty)) {
        if (!isNestedInit(x)) throw new Error(`${d.name}.${x.name} needs an object literal`);
        fields.set(x.name, this.object(x.value, this.struct(decl.ty.struct), env));
      } else {
        if (isNestedInit(x)) throw new Error(`${d.name}.${x.name} is an integer`);
        const v = this.expr(x.value, env);
        fields.set(x.name, { v: convertValue(v.v, v.ty, decl.ty), ty: decl.ty });
      }
    }
    for (const y of d.fields) if (!fields.has(y.name)) throw new Error(`${d.name}.${y.name} is not initialised`);
    return { fields };
  }

  /** The struct cell holding the last field of `f.path`, and that field's name. */
  private place(f: FieldRef, env: Env): [StructCell, string] {
    let c = env.get(f.name);
    for (const name of f.path.slice(0, -1)) {
      if (!isStructCell(c)) throw new Error(`${f.name}: .${name} of an integer`);
      c = c.fields.get(name) ?? fail(`no field ${name} in ${f.name}.${f.path.join(".")}`);
    }
    if (!isStructCell(c) || f.path.length === 0) throw new Error(`${f.name}.${f.path.join(".")}: not a field`);
    return [c, f.path[f.path.length - 1]];
  }

  private field(f: FieldRef, env: Env): Value {
    const [c, name] = this.place(f, env);
    const v = c.fields.get(name) ?? fail(`no field ${f.name}.${f.path.join(".")}`);
    if (isStructCell(v)) throw new Error(`${f.name}.${f.path.join(".")} is a struct, not an integer`);
    return v;
  }

  private setField(f: FieldRef, v: Value, env: Env): void {
    this.field(f, env); // exists and is an integer
    const [c, name] = this.place(f, env);
    c.fields.set(name, v);
  }

  private truthy(e: Expr, env: Env): boolean {
    return this.expr(e, env).v !== 0n;
  }

  private expr(e: Expr, env: Env): Value {
    switch (e.kind) {
      case "lit":
        return { v: e.value, ty: literalType(e.value) };
      case "bool":
        return BOOL(e.value);
      case "var":
        return env.value(e.name);
      case "field":
        return this.field(e, env);
      case "arith":
        return arithmetic(e.op, this.expr(e.left, env), this.expr(e.right, env));
      case "compare":
        return BOOL(comparison(e.op, this.expr(e.left, env), this.expr(e.right, env)));
      case "logic":
        // Short-circuit: the right operand runs only when it decides the result.
        return BOOL(e.op === "&&" ? this.truthy(e.left, env) && this.truthy(e.right, env) : this.truthy(e.left, env) || this.truthy(e.right, env));
      case "unary": {
        const x = this.expr(e.operand, env);
        if (e.op === "~") return arithmetic("^", x, I32(-1n));
        return arithmetic(e.op, I32(0n), x);
      }
      case "not":
        return BOOL(!this.truthy(e.operand, env));
      case "cond": {
        const x = this.truthy(e.test, env) ? this.expr(e.then, env) : this.expr(e.else, env);
        // The result type depends on both arms, whichever one ran.
        const ty = this.typeOfCond(e, env);
        return { v: convertValue(x.v, x.ty, ty), ty };
      }
      case "cast": {
        const x = this.expr(e.operand, env);
        return { v: convertValue(x.v, x.ty, e.to), ty: e.to };
      }
      case "call": {
        const f = this.functions.get(e.fn);
        if (!f) throw new Error(`no function ${e.fn}`);
        const args = e.args.map((a) => this.expr(a, env));
        return { v: this.call(f, args), ty: f.ret };
      }
    }
  }

  /** The arms' common type (bool when both are bool), computed from the arms, not from `e.ty`. */
  private typeOfCond(e: Extract<Expr, { kind: "cond" }>, env: Env): Type {
    const a = this.staticType(e.then, env);
    const b = this.staticType(e.else, env);
    return a === "bool" && b === "bool" ? "bool" : common(a, b);
  }

  /** The type of an expression without running it (an arm that was not taken). */
  private staticType(e: Expr, env: Env): Type {
    switch (e.kind) {
      case "lit":
        return literalType(e.value);
      case "var":
        return env.value(e.name).ty;
      case "field":
        return this.field(e, env).ty;
      case "arith":
        return e.op === "<<" || e.op === ">>" || e.op === ">>>" ? promotedType(this.staticType(e.left, env)) : common(this.staticType(e.left, env), this.staticType(e.right, env));
      case "unary":
        return common("i32", this.staticType(e.operand, env));
      case "cond":
        return this.typeOfCond(e, env);
      case "cast":
        return e.to;
      case "call": {
        const f = this.functions.get(e.fn);
        if (!f) throw new Error(`no function ${e.fn}`);
        return f.ret;
      }
      case "bool":
      case "compare":
      case "logic":
      case "not":
        return "bool";
    }
  }
}

function fail(why: string): never {
  throw new Error(why);
}

/** Block-scoped variables. */
class Env {
  private readonly scopes: Map<string, Cell>[] = [new Map()];

  push(): void {
    this.scopes.push(new Map());
  }

  pop(): void {
    this.scopes.pop();
  }

  declare(name: string, v: Cell): void {
    this.scopes[this.scopes.length - 1].set(name, v);
  }

  /** An integer or boolean local. */
  value(name: string): Value {
    const c = this.get(name);
    if (isStructCell(c)) throw new Error(`struct '${name}' used as a value`);
    return c;
  }

  get(name: string): Cell {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i].get(name);
      if (v) return v;
    }
    throw new Error(`'${name}' is not declared`);
  }

  set(name: string, v: Value): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        this.scopes[i].set(name, v);
        return;
      }
    }
    throw new Error(`'${name}' is not declared`);
  }
}
