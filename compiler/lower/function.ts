// Lowers one function body (a program's handler) from the TypeScript AST to IR: statements,
// expressions and locals. Each statement and call carries its source location, which becomes
// BTF line info and so the TypeScript line the verifier log quotes.

import type * as TS from "typescript";
import { Codes } from "../frontend/codes.js";
import type { ProbeProgram } from "../frontend/program.js";
import { stdlibName } from "../frontend/programs.js";
import { errorAt, lineColumn } from "../frontend/spans.js";
import { BOOL, INT_TYPES, NUMBER, typeAt, VOID, type IntType, type ProbeType } from "../frontend/types.js";
import type { MDRef } from "../ir/debug-info.js";
import { constInt, IRBuilder, type IRFunction, type IRModule, type Value } from "../ir/module.js";
import { i1 } from "../ir/types.js";
import { arith, compare, convert, irTypeOf, resultType, truthy, type ArithOp, type CompareOp, type Operand } from "./arith.js";
import { lowerBuiltinCall } from "./builtins.js";

interface Local {
  slot: Value;
  type: ProbeType;
}

const ARITH: Record<string, ArithOp> = {
  PlusToken: "+", MinusToken: "-", AsteriskToken: "*", SlashToken: "/", PercentToken: "%",
  AmpersandToken: "&", BarToken: "|", CaretToken: "^", LessThanLessThanToken: "<<",
  GreaterThanGreaterThanToken: ">>", GreaterThanGreaterThanGreaterThanToken: ">>>",
};
const COMPARE: Record<string, CompareOp> = {
  LessThanToken: "<", LessThanEqualsToken: "<=", GreaterThanToken: ">", GreaterThanEqualsToken: ">=",
  EqualsEqualsEqualsToken: "==", ExclamationEqualsEqualsToken: "!=", EqualsEqualsToken: "==", ExclamationEqualsToken: "!=",
};

export class FunctionLowerer {
  readonly b: IRBuilder;
  private readonly locals = new Map<TS.Symbol, Local>();

  constructor(
    readonly p: ProbeProgram,
    readonly module: IRModule,
    readonly fn: IRFunction,
    readonly scope: MDRef,
    readonly name: string,
  ) {
    this.b = new IRBuilder(fn);
  }

  /** Lowers the body; falling off the end returns `fallthrough`. */
  body(body: TS.ConciseBody, returnType: IntType): void {
    const ts = this.p.ts;
    if (ts.isBlock(body)) {
      for (const s of body.statements) this.statement(s);
      this.at(body.getLastToken() ?? body);
    } else {
      this.at(body);
      this.expression(body);
    }
    if (!this.b.block.terminated) this.b.ret(constInt(irTypeOf(returnType), 0));
  }

  /** Sets the source location of the instructions that follow. */
  at(node: TS.Node): void {
    const { line, column } = lineColumn(node);
    this.b.location = this.module.debug.location(line, column, this.scope);
  }

  private unsupported(node: TS.Node, what?: string): never {
    const kind = what ?? this.p.ts.SyntaxKind[node.kind];
    throw errorAt(node, Codes.unsupportedSyntax, `${kind} is not supported in probe code`, "see docs/language.md for the subset that compiles to BPF");
  }

  statement(s: TS.Statement): void {
    const ts = this.p.ts;
    this.at(s);
    if (ts.isExpressionStatement(s)) {
      this.expression(s.expression);
    } else if (ts.isBlock(s)) {
      for (const x of s.statements) this.statement(x);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) this.declare(d);
    } else if (ts.isIfStatement(s)) {
      this.ifStatement(s);
    } else if (ts.isReturnStatement(s)) {
      if (s.expression) this.unsupported(s.expression, "returning a value from a tracepoint program");
      this.b.ret(constInt(irTypeOf(INT_TYPES.i32), 0));
      this.b.positionAt(this.fn.newBlock("dead"));
    } else if (ts.isEmptyStatement(s)) {
      // nothing
    } else {
      this.unsupported(s, ts.isForStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s) ? "a loop" : undefined);
    }
  }

  private declare(d: TS.VariableDeclaration): void {
    const ts = this.p.ts;
    if (!ts.isIdentifier(d.name)) this.unsupported(d.name, "destructuring");
    if (!d.initializer) throw errorAt(d, Codes.unsupportedSyntax, `'${d.name.text}' needs an initial value`, "write `let x: u32 = 0`");
    const init = this.expression(d.initializer);
    // With an annotation the declared type rules; without one the variable takes the C type
    // of its initializer (TypeScript would only say `number`).
    const type = d.type ? typeAt(this.p, d.name) : init.type.kind === "int" && d.initializer.kind === ts.SyntaxKind.NumericLiteral ? NUMBER : init.type;
    if (type.kind === "void") this.unsupported(d.initializer, "a variable of type void");
    const slot = this.fn.alloca(irTypeOf(type), type.kind === "int" ? type.bits / 8 : 1);
    this.b.store(convert(this.b, init, type).value, slot);
    this.locals.set(this.p.checker.getSymbolAtLocation(d.name)!, { slot, type });
  }

  private ifStatement(s: TS.IfStatement): void {
    const cond = this.condition(s.expression);
    const then = this.fn.newBlock("if.then");
    const end = this.fn.newBlock("if.end");
    const otherwise = s.elseStatement ? this.fn.newBlock("if.else") : end;
    this.b.condBr(cond, then, otherwise);
    this.b.positionAt(then);
    this.statement(s.thenStatement);
    this.b.br(end);
    if (s.elseStatement) {
      this.b.positionAt(otherwise);
      this.statement(s.elseStatement);
      this.b.br(end);
    }
    this.b.positionAt(end);
  }

  /** An expression as an i1 condition. */
  condition(e: TS.Expression): Value {
    return truthy(this.b, this.expression(e));
  }

  expression(e: TS.Expression): Operand {
    const ts = this.p.ts;
    if (ts.isParenthesizedExpression(e)) return this.expression(e.expression);
    if (ts.isNumericLiteral(e)) return literal(e.text, e);
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword)
      return { value: constInt(i1, e.kind === ts.SyntaxKind.TrueKeyword ? 1 : 0), type: BOOL };
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isCallExpression(e)) {
      this.at(e);
      return this.call(e);
    }
    if (ts.isPrefixUnaryExpression(e)) return this.prefix(e);
    if (ts.isBinaryExpression(e)) return this.binary(e);
    if (ts.isConditionalExpression(e)) return this.conditional(e);
    if (ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) return this.expression(e.expression);
    return this.unsupported(e);
  }

  private identifier(e: TS.Identifier): Operand {
    const local = this.local(e);
    if (local) return { value: this.b.load(local.slot), type: local.type };
    return this.unsupported(e, `'${e.text}' (only locals are readable here)`);
  }

  private local(e: TS.Identifier): Local | undefined {
    const sym = this.p.checker.getSymbolAtLocation(e);
    return sym ? this.locals.get(sym) : undefined;
  }

  private call(e: TS.CallExpression): Operand {
    const name = stdlibName(this.p, e.expression);
    if (name) {
      const r = lowerBuiltinCall(this, name, e);
      if (r) return r;
    }
    return this.unsupported(e.expression, `calling '${e.expression.getText()}'`);
  }

  private prefix(e: TS.PrefixUnaryExpression): Operand {
    const ts = this.p.ts;
    if (e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return literal("-" + e.operand.text, e);
    const x = this.expression(e.operand);
    switch (e.operator) {
      case ts.SyntaxKind.ExclamationToken:
        return { value: this.b.binary("xor", truthy(this.b, x), constInt(i1, 1)), type: BOOL };
      case ts.SyntaxKind.MinusToken:
        return arith(this.b, "-", literal("0", e), x);
      case ts.SyntaxKind.PlusToken:
        return arith(this.b, "+", literal("0", e), x);
      case ts.SyntaxKind.TildeToken:
        return arith(this.b, "^", x, literal("-1", e));
      default:
        return this.unsupported(e, `the ${ts.tokenToString(e.operator)} operator`);
    }
  }

  private binary(e: TS.BinaryExpression): Operand {
    const ts = this.p.ts;
    const kind = ts.SyntaxKind[e.operatorToken.kind];
    if (e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
      return this.logical(e, e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken);
    if (ARITH[kind]) return arith(this.b, ARITH[kind], this.expression(e.left), this.expression(e.right));
    if (COMPARE[kind]) return compare(this.b, COMPARE[kind], this.expression(e.left), this.expression(e.right));
    if (e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return this.assign(e.left, () => this.expression(e.right));
    const compound = kind.endsWith("EqualsToken") ? ARITH[kind.replace("EqualsToken", "Token")] : undefined;
    if (compound) return this.assign(e.left, (old) => arith(this.b, compound, old, this.expression(e.right)));
    return this.unsupported(e.operatorToken, `the ${e.operatorToken.getText()} operator`);
  }

  private assign(target: TS.Expression, value: (old: Operand) => Operand): Operand {
    const ts = this.p.ts;
    const local = ts.isIdentifier(target) ? this.local(target) : undefined;
    if (!local) return this.unsupported(target, "assigning to this");
    const old = { value: this.b.load(local.slot), type: local.type };
    const v = convert(this.b, value(old), local.type);
    this.b.store(v.value, local.slot);
    return v;
  }

  /** `a && b`, `a || b`: b runs only when it decides the result. */
  private logical(e: TS.BinaryExpression, and: boolean): Operand {
    const left = this.condition(e.left);
    const from = this.b.block;
    const rhs = this.fn.newBlock(and ? "and.rhs" : "or.rhs");
    const end = this.fn.newBlock(and ? "and.end" : "or.end");
    if (and) this.b.condBr(left, rhs, end);
    else this.b.condBr(left, end, rhs);
    this.b.positionAt(rhs);
    const right = this.condition(e.right);
    const rhsEnd = this.b.block;
    this.b.br(end);
    this.b.positionAt(end);
    return { value: this.b.phi(i1, [[constInt(i1, and ? 0 : 1), from], [right, rhsEnd]]), type: BOOL };
  }

  private conditional(e: TS.ConditionalExpression): Operand {
    const type = typeAt(this.p, e);
    const cond = this.condition(e.condition);
    const whenTrue = this.fn.newBlock("cond.true");
    const whenFalse = this.fn.newBlock("cond.false");
    const end = this.fn.newBlock("cond.end");
    this.b.condBr(cond, whenTrue, whenFalse);
    const arm = (blk: typeof whenTrue, x: TS.Expression) => {
      this.b.positionAt(blk);
      const v = this.expression(x);
      return { v, blk: this.b.block };
    };
    const t = arm(whenTrue, e.whenTrue);
    const f = arm(whenFalse, e.whenFalse);
    const result = type.kind === "int" && (t.v.type.kind !== "int" || f.v.type.kind !== "int") ? type : commonOf(t.v.type, f.v.type);
    this.b.positionAt(t.blk);
    const tv = convert(this.b, t.v, result).value;
    this.b.br(end);
    this.b.positionAt(f.blk);
    const fv = convert(this.b, f.v, result).value;
    this.b.br(end);
    this.b.positionAt(end);
    return { value: this.b.phi(irTypeOf(result), [[tv, t.blk], [fv, f.blk]]), type: result };
  }
}

function commonOf(a: ProbeType, b: ProbeType): ProbeType {
  if (a.kind === "bool" && b.kind === "bool") return BOOL;
  if (a.kind === "void" || b.kind === "void") return VOID;
  return resultType("+", a, b);
}

/** A numeric literal takes C's type: int if it fits, else long, else unsigned long. */
export function literal(text: string, at: TS.Node): Operand {
  let v: bigint;
  try {
    v = BigInt(text.replace(/_/g, ""));
  } catch {
    throw errorAt(at, Codes.unsupportedType, `'${text}' is not an integer`, "probe code has no floating point: use integers");
  }
  const type = v >= -(1n << 31n) && v < 1n << 31n ? INT_TYPES.i32 : v >= -(1n << 63n) && v < 1n << 63n ? INT_TYPES.i64 : INT_TYPES.u64;
  if (v >= 1n << 64n || v < -(1n << 63n)) throw errorAt(at, Codes.unsupportedType, `${text} does not fit in 64 bits`);
  return { value: constInt(irTypeOf(type), type.bits === 64 && v >= 1n << 63n ? v - (1n << 64n) : v), type };
}

