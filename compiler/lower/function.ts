// Lowers one function body (a program's handler or a module-level function) from the
// TypeScript AST to IR: statements, locals, control flow. Expressions are in expressions.ts.
// Each statement carries its source location, which becomes BTF line info and so the
// TypeScript line the verifier log quotes.

import type * as TS from "typescript";
import { describeSyntax } from "../frontend/body-checks.js";
import { Codes } from "../frontend/codes.js";
import { constantValue } from "../frontend/constants.js";
import { loopCondition } from "../frontend/loop-bounds.js";
import { errorAt } from "../frontend/spans.js";
import { isAggregate, NUMBER, typeAt, type ProbeType } from "../frontend/probe-types.js";
import { alignOf, POINTER, sizeOf } from "../../contract/c-layout.js";
import { i64, i8 } from "../ir/ir-types.js";
import { convertAt, initInto, literalValue, read } from "./aggregate-storage.js";
import type { MDRef } from "../ir/debug-info.js";
import { Block, constInt, IRBuilder, type IRFunction, type Value } from "../ir/ir-module.js";
import { irTypeOf, truthy, type Operand } from "./arith.js";
import { ExpressionLowerer } from "./expressions.js";
import type { ModuleLowerer } from "./module-lowerer.js";

export interface Local {
  slot: Value;
  type: ProbeType;
}

interface Jump {
  label?: string;
  breakTo: Block;
  continueTo?: Block; // undefined for switch
}

/** What `return` means in this function: a value of a type, or "ignored" (tracepoints: 0). */
export type ReturnKind = ProbeType | "ignored";

export class FunctionLowerer extends ExpressionLowerer {
  private readonly jumps: Jump[] = [];
  private pendingLabel: string | undefined;

  /** Where an aggregate result goes: storage the caller passes as a hidden first argument. */
  private readonly sret: Value | undefined;

  constructor(
    ml: ModuleLowerer,
    fn: IRFunction,
    scope: MDRef,
    name: string,
    private readonly returns: ReturnKind,
  ) {
    super(ml, fn, scope, name, new IRBuilder(fn));
    this.sret = returns !== "ignored" && isAggregate(returns) ? fn.params[0] : undefined;
  }

  /** Binds parameters to stack slots (O2 turns them back into registers). */
  bindParams(params: readonly TS.ParameterDeclaration[], types: ProbeType[]): void {
    const first = this.sret ? 1 : 0;
    params.forEach((param, i) => this.bindLocal(param, { value: this.fn.params[first + i], type: types[i] }));
  }

  /** Binds a parameter to a stack slot holding `value`. */
  bindLocal(param: TS.ParameterDeclaration, value: Operand): void {
    const slot = this.fn.alloca(irTypeOf(value.type));
    this.b.store(value.value, slot);
    this.locals.set(this.p.symbolAt(param.name)!, { slot, type: value.type });
  }

  /** Lowers the body; falling off the end returns 0 (or nothing, for void). */
  body(body: TS.ConciseBody): void {
    const ts = this.p.ts;
    if (ts.isBlock(body)) {
      for (const s of body.statements) this.statement(s);
      this.at(body.getLastToken() ?? body);
    } else {
      this.at(body);
      if (this.returns === "ignored") this.expression(body);
      else return this.returnValue(body);
    }
    if (!this.b.block.terminated) this.returnDefault();
  }

  /** Falling off the end: `ret void`, or 0 of the function's IR result type. */
  private returnDefault(): void {
    const ret = this.fn.decl.ret;
    if (ret.kind === "void") this.b.ret();
    else this.b.ret(constInt(ret, 0));
  }

  private returnValue(e: TS.Expression): void {
    if (this.returns === "ignored") this.notChecked(e, "a value returned from a program whose result the kernel ignores");
    if (this.sret && isAggregate(this.returns)) {
      initInto(this, { ptr: this.sret, type: this.returns }, e); // a copy: the callee's stack ends here
      return this.b.ret();
    }
    const v = this.expression(e);
    if (this.returns.kind === "void") return this.b.ret();
    this.b.ret(convertAt(this, v, this.returns, e).value);
  }

  /** Code after return/break/continue is unreachable: give it a block of its own. */
  private afterJump(): void {
    this.b.positionAt(this.fn.newBlock("dead"));
  }

  statement(s: TS.Statement): void {
    const ts = this.p.ts;
    this.at(s);
    if (ts.isExpressionStatement(s)) this.expression(s.expression);
    else if (ts.isBlock(s)) for (const x of s.statements) this.statement(x);
    else if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) this.declare(d);
    else if (ts.isIfStatement(s)) this.ifStatement(s);
    else if (ts.isReturnStatement(s)) {
      if (s.expression) this.returnValue(s.expression);
      else this.returnDefault();
      this.afterJump();
    } else if (ts.isForStatement(s) || ts.isWhileStatement(s) || ts.isDoStatement(s)) this.loop(s);
    else if (ts.isForOfStatement(s)) this.forOf(s);
    else if (ts.isSwitchStatement(s)) this.switchStatement(s);
    else if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) this.jump(s);
    else if (ts.isLabeledStatement(s)) {
      this.pendingLabel = s.label.text;
      this.statement(s.statement);
    } else if (ts.isEmptyStatement(s)) {
      // nothing
    } else this.notChecked(s, describeSyntax(this.p.ts, s));
  }

  private declare(d: TS.VariableDeclaration): void {
    const ts = this.p.ts;
    if (!ts.isIdentifier(d.name) || !d.initializer) this.notChecked(d, "a local without a name or an initial value");
    const declared = d.type ? typeAt(this.p, d.name) : undefined;
    if (declared && isAggregate(declared)) {
      // An aggregate local refers to storage: a literal's fresh storage, or another's (alias).
      const ts = this.p.ts;
      const v = ts.isObjectLiteralExpression(d.initializer) || ts.isArrayLiteralExpression(d.initializer) || ts.isStringLiteralLike(d.initializer)
        ? literalValue(this, declared, d.initializer)
        : convertAt(this, this.expression(d.initializer), declared, d.initializer);
      return this.bind(d.name, v);
    }
    const init = this.expression(d.initializer);
    // With an annotation the declared type rules; without one the variable takes the C type
    // of its initializer, except that a bare literal makes a 64-bit variable (TypeScript would
    // only say `number`, and `let n = 0; n += big` should not wrap at 32 bits).
    const type = declared ?? (init.type.kind === "int" && isLiteral(this.p, d.initializer) ? NUMBER : init.type);
    if (type.kind === "void") this.unsupported(d.initializer, "a variable of type void");
    this.bind(d.name, convertAt(this, init, type, d.initializer));
  }

  /** A local named `name` holding `v` (a scalar, or a reference to an aggregate's storage). */
  private bind(name: TS.Identifier, v: Operand): void {
    if (v.type.kind === "void") throw new Error("a local of type void"); // refused where it is declared
    // The slot holds the value itself, or for an aggregate (or a value that may be absent) its address.
    const slot = this.fn.alloca(irTypeOf(v.type), alignOf(isAggregate(v.type) || v.type.kind === "optional" ? POINTER : v.type));
    this.b.store(v.value, slot);
    this.locals.set(this.p.symbolAt(name)!, { slot, type: v.type });
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

  /** for / while / do-while. The bound was proven by the subset check (loop-bounds.ts). */
  private loop(s: TS.ForStatement | TS.WhileStatement | TS.DoStatement): void {
    const ts = this.p.ts;
    const label = this.takeLabel();
    if (ts.isForStatement(s) && s.initializer) {
      if (ts.isVariableDeclarationList(s.initializer)) for (const d of s.initializer.declarations) this.declare(d);
      else this.expression(s.initializer);
    }
    const c = loopCondition(this.p, s);
    this.emitLoop(label, {
      bodyFirst: ts.isDoStatement(s),
      condition: c
        ? () => {
            this.at(c);
            return this.condition(c);
          }
        : undefined,
      body: () => this.statement(s.statement),
      step:
        ts.isForStatement(s) && s.incrementor
          ? () => {
              this.at(s.incrementor!);
              this.expression(s.incrementor!);
            }
          : undefined,
    });
  }

  /**
   * The blocks of a loop: condition, body, step (where `continue` goes), end (where `break`
   * goes). A missing condition loops until a break.
   */
  private emitLoop(label: string | undefined, parts: { bodyFirst?: boolean; condition?: () => Value; body: () => void; step?: () => void }): void {
    const cond = this.fn.newBlock("loop.cond");
    const body = this.fn.newBlock("loop.body");
    const step = this.fn.newBlock("loop.step");
    const end = this.fn.newBlock("loop.end");
    this.b.br(parts.bodyFirst ? body : cond);
    this.b.positionAt(cond);
    if (parts.condition) this.b.condBr(parts.condition(), body, end);
    else this.b.br(body);
    this.b.positionAt(body);
    this.jumps.push({ label, breakTo: end, continueTo: step });
    parts.body();
    this.jumps.pop();
    this.b.br(step);
    this.b.positionAt(step);
    parts.step?.();
    this.b.br(cond);
    this.b.positionAt(end);
  }

  /** `for (const x of xs)` over a FixedArray: a counted loop over its length. */
  private forOf(s: TS.ForOfStatement): void {
    const ts = this.p.ts;
    const label = this.takeLabel();
    const array = this.expression(s.expression);
    if (array.type.kind !== "array") this.unsupported(s.expression, "for…of over anything but a FixedArray");
    const decl = ts.isVariableDeclarationList(s.initializer) ? s.initializer.declarations[0] : undefined;
    if (!decl || !ts.isIdentifier(decl.name)) return this.notChecked(s.initializer, "a for…of binding that is not one name");
    const type = array.type;
    const counter = this.fn.alloca(i64);
    this.b.store(constInt(i64, 0), counter);
    this.emitLoop(label, {
      condition: () => this.b.icmp("ult", this.b.load(counter), constInt(i64, type.length)),
      body: () => {
        const offset = this.b.binary("mul", this.b.load(counter), constInt(i64, sizeOf(type.elem)));
        const ptr = this.b.byteOffset(array.value, offset, isAggregate(type.elem) ? i8 : irTypeOf(type.elem));
        this.bind(decl.name as TS.Identifier, read(this, { ptr, type: type.elem }));
        this.statement(s.statement);
      },
      step: () => this.b.store(this.b.binary("add", this.b.load(counter), constInt(i64, 1)), counter),
    });
  }

  private switchStatement(s: TS.SwitchStatement): void {
    const ts = this.p.ts;
    const label = this.takeLabel();
    const subject = this.scalar(s.expression);
    if (subject.type.kind !== "int") this.unsupported(s.expression, "a switch on a non-integer");
    const end = this.fn.newBlock("switch.end");
    const blocks = s.caseBlock.clauses.map((c) => this.fn.newBlock(ts.isDefaultClause(c) ? "switch.default" : "switch.case"));
    const cases: [bigint, Block][] = [];
    const seen = new Map<bigint, TS.Node>();
    let otherwise = end;
    s.caseBlock.clauses.forEach((c, i) => {
      if (ts.isDefaultClause(c)) {
        otherwise = blocks[i];
        return;
      }
      const v = constantValue(this.p, c.expression, this.ml.decls.constants);
      if (v === undefined) return this.notChecked(c.expression, "a case label that is not a constant");
      const value = wrap(v, subject.type as { bits: number });
      // Checked before lowering at the subject's TypeScript type; this is its lowered (C) type.
      if (seen.has(value)) throw errorAt(c.expression, Codes.switchCaseNotConstant, `duplicate case ${v}`, "each case value may appear once");
      seen.set(value, c);
      cases.push([value, blocks[i]]);
    });
    this.b.switchInt(subject.value, otherwise, cases);
    this.jumps.push({ label, breakTo: end });
    s.caseBlock.clauses.forEach((c, i) => {
      this.b.positionAt(blocks[i]);
      for (const st of c.statements) this.statement(st);
      this.b.br(blocks[i + 1] ?? end); // fall through, as in C (TypeScript refuses it for non-empty cases)
    });
    this.jumps.pop();
    this.b.positionAt(end);
  }

  private jump(s: TS.BreakStatement | TS.ContinueStatement): void {
    const isBreak = this.p.ts.isBreakStatement(s);
    const name = s.label?.text;
    const target = [...this.jumps].reverse().find((j) => (name ? j.label === name : isBreak || j.continueTo));
    const block = target && (isBreak ? target.breakTo : target.continueTo);
    if (!block) this.unsupported(s, isBreak ? "this break" : "this continue");
    this.b.br(block);
    this.afterJump();
  }

  private takeLabel(): string | undefined {
    const l = this.pendingLabel;
    this.pendingLabel = undefined;
    return l;
  }

  /** An expression as an i1 condition. */
  condition(e: TS.Expression): Value {
    return truthy(this.b, this.scalar(e));
  }
}

function isLiteral(p: FunctionLowerer["p"], e: TS.Expression): boolean {
  const ts = p.ts;
  if (ts.isParenthesizedExpression(e)) return isLiteral(p, e.expression);
  return ts.isNumericLiteral(e) || (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand));
}

/** `v` as a width-bit two's complement pattern, which is how IR spells switch constants. */
function wrap(v: bigint, t: { bits: number }): bigint {
  return BigInt.asIntN(t.bits, v);
}

