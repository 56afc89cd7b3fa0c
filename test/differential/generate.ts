// Random, well-typed programs for differential testing. A seed fixes the program. Functions
// f0..f(k-1) take 1–3 integer parameters and return an integer; f_j calls only f_i with i < j,
// so there is no recursion, and loops are counted with constant bounds, so everything ends.
// Up to two structs S0, S1 (S1 may hold an S0) give functions struct locals, whose fields are
// read and written like locals; structs are never copied, passed or returned.

import * as A from "./ast.js";
import type { ArithOp, Expr, FieldInit, Func, ObjectLit, Program, Stmt, StructDecl, StructField } from "./ast.js";
import { isTsAlwaysTruthy, isTsLiteral } from "./check.js";
import { functionCosts, stmtsCost } from "./cost.js";
import { Rng } from "./random.js";
import { INT_TYPES, type IntType, type Type } from "./reference-types.js";

export interface GenOptions {
  /** How many functions (default 1..4). */
  minFunctions?: number;
  maxFunctions?: number;
  /** Statements in a function's body, the final return included (default 8). */
  maxStatements?: number;
  /** Statements in an if or loop body (default 3). */
  maxBlockStatements?: number;
  /** Statements in a whole function, nested ones included (default 16). */
  maxTotalStatements?: number;
  /** Deepest expression; a leaf has depth 1 (default 4, at least 2). */
  maxExprDepth?: number;
  maxLoopDepth?: number; // default 2
  maxLoopBound?: number; // default 8
  /** Upper bound on a function's estimated work (cost.ts), calls included (default 3000). */
  maxCost?: number;
  /** Let integers be operands of &&, || and ! (default true). */
  intConditions?: boolean;
  /** Let statements assign parameters (default true). */
  assignParams?: boolean;
  /** Print some literals of magnitude ≥ 256 in hex, `-0x…` for negative ones (default true). */
  hexLiterals?: boolean;
  /**
   * Declare 0–2 structs and use struct locals and their fields (default true). Without them a
   * seed gives the same program as before structs existed.
   */
  structs?: boolean;
}

export const DEFAULT_OPTIONS: Required<GenOptions> = {
  minFunctions: 1,
  maxFunctions: 4,
  maxStatements: 8,
  maxBlockStatements: 3,
  maxTotalStatements: 16,
  maxExprDepth: 4,
  maxLoopDepth: 2,
  maxLoopBound: 8,
  maxCost: 3000,
  intConditions: true,
  assignParams: true,
  hexLiterals: true,
  structs: true,
};

export function generateProgram(seed: number, opts: GenOptions = {}): Program {
  const o: Required<GenOptions> = { ...DEFAULT_OPTIONS, ...opts };
  if (o.maxExprDepth < 2) throw new Error("maxExprDepth must be at least 2");
  const rng = new Rng(seed);
  const k = rng.int(o.minFunctions, Math.max(o.minFunctions, o.maxFunctions));
  const structs = o.structs ? generateStructs(rng) : [];
  const functions: Func[] = [];
  for (let j = 0; j < k; j++) functions.push(generateFunction(rng, o, `f${j}`, functions, structs));
  return { structs, functions };
}

/** 0–2 structs of 1–4 integer fields; a field of the second may be the first (one level deep). */
function generateStructs(rng: Rng): StructDecl[] {
  const structs: StructDecl[] = [];
  const n = rng.int(0, 2);
  for (let i = 0; i < n; i++) {
    const flat = structs.filter((d) => d.fields.every((x) => typeof x.ty === "string"));
    const fields = Array.from({ length: rng.int(1, 4) }, (_, j): StructField => ({
      name: "abcd"[j],
      ty: flat.length && rng.chance(0.3) ? { struct: rng.pick(flat).name } : rng.pick(INT_TYPES),
    }));
    structs.push({ name: `S${i}`, fields });
  }
  return structs;
}

/** The integer fields of a struct, through nested ones: `[["a"], ["p", "a"], …]` with their types. */
function leafFields(d: StructDecl, structs: readonly StructDecl[]): FieldLeaf[] {
  return d.fields.flatMap((x): FieldLeaf[] => {
    if (typeof x.ty === "string") return [{ path: [x.name], ty: x.ty }];
    const inner = structs.find((y) => y.name === (x.ty as { struct: string }).struct)!;
    return leafFields(inner, structs).map((l) => ({ path: [x.name, ...l.path], ty: l.ty }));
  });
}

interface FieldLeaf {
  path: string[];
  ty: IntType;
}

/** Edge values of the integer types, and their neighbours, as literals. */
const EDGES: readonly bigint[] = [
  0n, 1n, -1n, 2n, -2n, 7n, -7n, 8n, 16n, 31n, 32n, 33n, 63n, 64n, 127n, 128n, -128n, -129n, 255n, 256n,
  32767n, 32768n, -32768n, -32769n, 65535n, 65536n, 0x7fffffffn, 0x80000000n, -0x80000000n, -0x80000001n,
  0xffffffffn, 0x100000000n, -0xffffffffn, 0xfffffffffffffn, (1n << 53n) - 1n, -((1n << 53n) - 1n),
];

/** Shifts by large counts and `&` of unrelated values tend to give 0: keep them rarer. */
const OP_WEIGHTS: Record<ArithOp, number> = { "+": 3, "-": 3, "*": 2, "/": 2, "%": 2, "&": 1, "|": 1.5, "^": 1.5, "<<": 1, ">>": 1, ">>>": 1 };

interface Local {
  name: string;
  ty: Type;
  /** The generator may assign it (never a loop counter or a const). */
  writable: boolean;
}

/** A struct local: its integer fields are read and written like locals. */
interface StructLocal {
  name: string;
  fields: FieldLeaf[];
}

function generateFunction(rng: Rng, o: Required<GenOptions>, name: string, earlier: Func[], structs: readonly StructDecl[]): Func {
  const params = Array.from({ length: rng.int(1, 3) }, (_, i) => ({ name: "abc"[i], ty: rng.pick(INT_TYPES) }));
  const ret = rng.pick(INT_TYPES);
  const costs = functionCosts(earlier);
  // Retry until the estimate fits; the last attempt drops calls and loops, which always fits.
  for (let attempt = 0; ; attempt++) {
    const lean = attempt >= 8;
    const g = new FunctionGenerator(rng, o, earlier, structs, costs, lean);
    const body = g.body(params);
    if (lean || stmtsCost(body, costs) <= o.maxCost) return { name, params, ret, body };
  }
}

class FunctionGenerator {
  private readonly scopes: Local[][] = [];
  /** Struct locals, scoped like `scopes` (pushed and popped with it). */
  private readonly structScopes: StructLocal[][] = [];
  private nextLocal = 0;
  private loopDepth = 0;
  /** Product of the enclosing loops' bounds: how many times the current statement runs. */
  private runs = 1;
  private stmtsLeft: number;

  constructor(
    private readonly rng: Rng,
    private readonly o: Required<GenOptions>,
    private readonly earlier: Func[],
    private readonly structs: readonly StructDecl[],
    private readonly costs: ReadonlyMap<string, number>,
    private readonly lean: boolean,
  ) {
    this.stmtsLeft = o.maxTotalStatements;
  }

  body(params: A.Param[]): Stmt[] {
    this.scopes.push(params.map((p) => ({ name: p.name, ty: p.ty, writable: this.o.assignParams })));
    this.structScopes.push([]);
    const n = this.rng.int(1, this.o.maxStatements);
    this.stmtsLeft -= 1;
    const stmts = this.stmts(n - 1);
    stmts.push(A.ret(this.int(this.o.maxExprDepth)));
    return stmts;
  }

  private visible(): Local[] {
    return this.scopes.flat();
  }

  private visibleStructs(): StructLocal[] {
    return this.structScopes.flat();
  }

  private stmts(n: number): Stmt[] {
    const out: Stmt[] = [];
    for (let i = 0; i < n && this.stmtsLeft > 0; i++) {
      this.stmtsLeft--;
      out.push(this.stmt());
    }
    return out;
  }

  private block(extra?: Local): Stmt[] {
    this.scopes.push(extra ? [extra] : []);
    this.structScopes.push([]);
    const body = this.stmts(this.rng.int(1, this.o.maxBlockStatements));
    this.structScopes.pop();
    this.scopes.pop();
    return body;
  }

  private stmt(): Stmt {
    const writable = this.visible().filter((l) => l.writable);
    const writableInts = writable.filter((l) => l.ty !== "bool");
    const structLocals = this.visibleStructs();
    // Struct statements come last with weight 0 when there are no structs: the same draws then
    // pick the same statements as before structs existed.
    const kind = this.rng.weighted({
      let: 3,
      assign: writable.length ? 3 : 0,
      incdec: writableInts.length ? 0.7 : 0,
      if: this.stmtsLeft >= 1 ? 1.5 : 0,
      for: !this.lean && this.loopDepth < this.o.maxLoopDepth && this.stmtsLeft >= 1 ? 1.2 : 0,
      letStruct: this.structs.length ? 0.8 : 0,
      fieldAssign: structLocals.length ? 2.5 : 0,
      fieldIncdec: structLocals.length ? 0.5 : 0,
    });
    const d = this.o.maxExprDepth;
    switch (kind) {
      case "let": {
        const ty: Type = this.rng.chance(0.2) ? "bool" : this.rng.pick(INT_TYPES);
        const init = ty === "bool" ? this.bool(d, true) : this.int(d);
        const name = `v${this.nextLocal++}`;
        const mutable = this.rng.chance(0.75);
        this.scopes[this.scopes.length - 1].push({ name, ty, writable: mutable });
        return A.letStmt(name, ty, init, mutable);
      }
      case "assign": {
        const t = this.rng.pick(writable);
        if (t.ty === "bool") return A.assign(t.name, "=", this.bool(d, true));
        const op = this.rng.chance(0.4) ? "=" : (`${this.rng.weighted<ArithOp>(OP_WEIGHTS)}=` as const);
        return A.assign(t.name, op, op.startsWith("<") || op.startsWith(">") ? this.shiftCount(d) : this.int(d));
      }
      case "incdec":
        return A.incdec(this.rng.pick(writableInts).name, this.rng.chance(0.5) ? "++" : "--");
      case "if": {
        const test = this.bool(d, false);
        return A.ifStmt(test, this.block(), this.rng.chance(0.5) ? this.block() : null);
      }
      case "for": {
        const bound = this.rng.int(1, this.o.maxLoopBound);
        const counter = "ij"[this.loopDepth] ?? `i${this.loopDepth}`;
        this.loopDepth++;
        this.runs *= bound;
        const body = this.block({ name: counter, ty: "u32", writable: false });
        this.runs /= bound;
        this.loopDepth--;
        return A.forStmt(counter, bound, body);
      }
      case "letStruct": {
        const decl = this.rng.pick(this.structs);
        const init = this.object(decl, d - 1);
        const name = `s${this.nextLocal++}`;
        this.structScopes[this.structScopes.length - 1].push({ name, fields: leafFields(decl, this.structs) });
        return A.letStruct(name, decl.name, init);
      }
      case "fieldAssign": {
        const t = this.fieldOf(this.rng.pick(structLocals));
        const op = this.rng.chance(0.4) ? "=" : (`${this.rng.weighted<ArithOp>(OP_WEIGHTS)}=` as const);
        return A.fieldAssign(t, op, op.startsWith("<") || op.startsWith(">") ? this.shiftCount(d) : this.int(d));
      }
      case "fieldIncdec":
        return A.fieldIncdec(this.fieldOf(this.rng.pick(structLocals)), this.rng.chance(0.5) ? "++" : "--");
    }
  }

  /** A literal for every field of `decl` (values of depth ≤ d), sometimes not in declaration order. */
  private object(decl: StructDecl, d: number): ObjectLit {
    const fields = decl.fields.map((x): FieldInit => {
      if (typeof x.ty === "string") return { name: x.name, ty: x.ty, value: this.int(d) };
      const inner = x.ty.struct;
      return { name: x.name, value: this.object(this.structs.find((y) => y.name === inner)!, d) };
    });
    if (fields.length > 1 && this.rng.chance(0.2)) fields.reverse();
    return { kind: "object", fields };
  }

  private fieldOf(s: StructLocal): A.FieldRef {
    const l = this.rng.pick(s.fields);
    return A.field(s.name, l.path, l.ty);
  }

  // ── Expressions; `d` is the depth still allowed (a leaf takes 1) ────────────────────────────

  private int(d: number): Expr {
    if (d <= 1 || this.rng.chance(0.15)) return this.leaf();
    const callable = this.lean ? [] : this.earlier.filter((f) => this.runs * (this.costs.get(f.name) ?? 0) <= this.o.maxCost / 3);
    const kind = this.rng.weighted({ arith: 5, unary: 1, cast: 1.5, cond: d >= 3 ? 0.8 : 0, call: callable.length ? 1 : 0 });
    switch (kind) {
      case "arith": {
        const op = this.rng.weighted<ArithOp>(OP_WEIGHTS);
        const left = this.int(d - 1);
        return A.arith(op, left, A.SHIFT_OPS.includes(op) ? this.shiftCount(d - 1) : this.int(d - 1));
      }
      case "unary":
        return A.unary(this.rng.weighted({ "-": 2, "~": 2, "+": 0.5 }), this.int(d - 1));
      case "cast":
        return A.cast(this.rng.pick(INT_TYPES), this.int(d - 1));
      case "cond":
        return A.cond(this.bool(d - 1, false), this.int(d - 1), this.int(d - 1));
      case "call": {
        const f = this.rng.pick(callable);
        return A.call(f, f.params.map(() => this.int(d - 1)));
      }
    }
  }

  /** Mostly counts that matter (0..70, across every width), sometimes any expression. */
  private shiftCount(d: number): Expr {
    if (this.rng.chance(0.3)) return this.int(d);
    return A.lit(BigInt(this.rng.chance(0.8) ? this.rng.int(0, 8) : this.rng.int(9, 70)));
  }

  private leaf(): Expr {
    const vars = this.visible().filter((l) => l.ty !== "bool");
    // A struct local counts as one candidate, like a local (then one of its fields).
    const structs = this.visibleStructs();
    if (vars.length + structs.length && this.rng.chance(0.7)) {
      const i = this.rng.int(0, vars.length + structs.length - 1);
      if (i >= vars.length) return this.fieldOf(structs[i - vars.length]);
      const v = vars[i];
      return A.ref(v.name, v.ty);
    }
    return this.literal();
  }

  private literal(): Expr {
    const r = this.rng.float();
    let v: bigint;
    if (r < 0.45) v = BigInt(this.rng.int(-16, 16));
    else if (r < 0.85) v = this.rng.pick(EDGES);
    else if (r < 0.95) v = BigInt(this.rng.next()) - (this.rng.chance(0.5) ? 0x80000000n : 0n);
    else v = (this.rng.bits64() >> 11n) * (this.rng.chance(0.5) ? -1n : 1n); // up to 53 bits
    return A.lit(v, this.o.hexLiterals && (v >= 256n || v <= -256n) && this.rng.chance(0.5));
  }

  /**
   * A boolean expression. `strict`: TypeScript must type it `boolean` (it initialises a boolean
   * local), so integers may not be operands of && and ||. Needs d >= 2.
   */
  private bool(d: number, strict: boolean): Expr {
    const bools = this.visible().filter((l) => l.ty === "bool");
    const kind = this.rng.weighted({ compare: 5, var: bools.length ? 1 : 0, not: 1, logic: d >= 3 ? 2 : 0, cond: d >= 3 ? 0.3 : 0 });
    switch (kind) {
      case "compare": {
        let op = this.rng.pick(A.COMPARE_OPS);
        const left = this.int(d - 1);
        const right = this.int(d - 1);
        // TypeScript rejects `===` between literal types that cannot be equal (`1 === 2`).
        if ((op === "===" || op === "!==") && isTsLiteral(left) && isTsLiteral(right)) op = op === "===" ? "<=" : ">";
        return A.compare(op, left, right);
      }
      case "var": {
        const v = this.rng.pick(bools);
        return A.ref(v.name, "bool");
      }
      case "not":
        // `!x` is a TypeScript boolean whatever x is.
        return A.not(this.condition(d - 1, false));
      case "logic":
        return A.logic(this.rng.chance(0.5) ? "&&" : "||", this.condition(d - 1, strict), this.condition(d - 1, strict));
      case "cond":
        return A.cond(this.bool(d - 1, false), this.bool(d - 1, strict), this.bool(d - 1, strict));
    }
  }

  /** An operand of && || !: a boolean, or (when allowed and not strict) an integer's truthiness. */
  private condition(d: number, strict: boolean): Expr {
    const ints = this.o.intConditions && !strict;
    if (ints && (d < 2 || this.rng.chance(0.3))) {
      const e = this.int(d);
      if (!isTsAlwaysTruthy(e)) return e;
    }
    if (d >= 2) return this.bool(d, strict);
    const bools = this.visible().filter((l) => l.ty === "bool");
    if (bools.length) return A.ref(this.rng.pick(bools).name, "bool");
    return A.boolLit(this.rng.chance(0.5));
  }
}
