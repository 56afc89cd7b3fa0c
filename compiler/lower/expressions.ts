// Expressions: literals, names (locals, module constants, params, tsbpf constants), operators
// with C semantics (arith.ts), calls (module functions and tsbpf builtins).

import { argumentAs } from "../kinds/kernel-function.js";
import { kernelFieldRead } from "./kernel-fields.js";
import type * as TS from "typescript";
import { describeSyntax } from "../frontend/body-checks.js";
import { Codes } from "../frontend/codes.js";
import { integerLiteral } from "../frontend/constants.js";
import { stdlibMemberName, stdlibName } from "../frontend/module-scan.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { errorAt, lineColumn } from "../frontend/spans.js";
import { BOOL, INT_TYPES, isAggregate, probeTypeOf, typeAt, typeName, VOID, type ArrayType, type ProbeType, type StructType, type ValueType } from "../frontend/probe-types.js";
import type { MDRef } from "../ir/debug-info.js";
import { constInt, type Block, type IRBuilder, type IRFunction, type IRModule, type Value } from "../ir/ir-module.js";
import { i1, i64 } from "../ir/ir-types.js";
import { arith, compare, convert, irTypeOf, resultType, sameLayout, truthy, type ArithOp, type CompareOp, type Operand } from "./arith.js";
import { allocate, convertAt, fieldPlace, literalValue, read, withElement, write, zeroOf, type Place } from "./aggregate-storage.js";
import { lowerBuiltinCall, stdlibConstant } from "./builtins.js";
import { CONTEXT_MEMBERS } from "../kinds/registry.js";
import { strEquality } from "./str-compare.js";
import { ABSENT, compareWithUndefined, isUndefined, orElse, present } from "./optional.js";
import type { Local } from "./function.js";
import type { ModuleLowerer } from "./module-lowerer.js";

// Operator tables by SyntaxKind value (SyntaxKind's names are ambiguous: LessThanToken is
// also FirstBinaryOperator). Built once per TypeScript instance.
interface OperatorTables {
  arith: Map<number, ArithOp>;
  compare: Map<number, CompareOp>;
  compound: Map<number, ArithOp>;
}
let tables: OperatorTables | undefined;

function operators(ts: CheckedSource["ts"]): OperatorTables {
  if (tables) return tables;
  const K = ts.SyntaxKind;
  return (tables = {
    arith: new Map<number, ArithOp>([
      [K.PlusToken, "+"], [K.MinusToken, "-"], [K.AsteriskToken, "*"], [K.SlashToken, "/"], [K.PercentToken, "%"],
      [K.AmpersandToken, "&"], [K.BarToken, "|"], [K.CaretToken, "^"], [K.LessThanLessThanToken, "<<"],
      [K.GreaterThanGreaterThanToken, ">>"], [K.GreaterThanGreaterThanGreaterThanToken, ">>>"],
    ]),
    compare: new Map<number, CompareOp>([
      [K.LessThanToken, "<"], [K.LessThanEqualsToken, "<="], [K.GreaterThanToken, ">"], [K.GreaterThanEqualsToken, ">="],
      [K.EqualsEqualsEqualsToken, "=="], [K.ExclamationEqualsEqualsToken, "!="], [K.EqualsEqualsToken, "=="], [K.ExclamationEqualsToken, "!="],
    ]),
    compound: new Map<number, ArithOp>([
      [K.PlusEqualsToken, "+"], [K.MinusEqualsToken, "-"], [K.AsteriskEqualsToken, "*"], [K.SlashEqualsToken, "/"], [K.PercentEqualsToken, "%"],
      [K.AmpersandEqualsToken, "&"], [K.BarEqualsToken, "|"], [K.CaretEqualsToken, "^"], [K.LessThanLessThanEqualsToken, "<<"],
      [K.GreaterThanGreaterThanEqualsToken, ">>"], [K.GreaterThanGreaterThanGreaterThanEqualsToken, ">>>"],
    ]),
  });
}

export abstract class ExpressionLowerer {
  protected readonly locals = new Map<TS.Symbol, Local>();
  /** Bytes of storage (aggregates, printk's arguments) allocated so far on this function's stack. */
  stackBytes = 0;
  /** The stack bytes of the deepest chain of module functions this one calls (aggregate-storage.ts). */
  calleeStack = 0;
  /** Where aggregates go once the stack is full: a program's scratch buffer (none in functions). */
  scratch?: (size: number, align: number, at: TS.Node, what: string) => { base: Value; offset: number };
  /** A program's context: its handler's parameter, and the pointer the kernel passes (none in functions). */
  context?: {
    symbol: TS.Symbol | undefined;
    pointer: Value;
    record?: StructType;
    /** Arguments the context holds as 64-bit slots, by name, in order (a raw tracepoint's `ctx.prev`). */
    arguments?: ReadonlyMap<string, number>;
    /** Those arguments are typed by the kernel's BTF (tp_btf): pointers the verifier can load through. */
    btfTyped?: boolean;
  };
  /** Handler parameters the kernel passes typed by its BTF, never assigned (fentry's): pointers the verifier can load through. */
  readonly btfTypedParameters = new Set<TS.Symbol>();
  private readonly inlining = new Set<TS.Symbol>();

  constructor(
    readonly ml: ModuleLowerer,
    readonly fn: IRFunction,
    readonly scope: MDRef,
    readonly name: string,
    readonly b: IRBuilder,
  ) {}

  get p(): CheckedSource {
    return this.ml.p;
  }
  get module(): IRModule {
    return this.ml.m;
  }

  /** Sets the source location of the instructions that follow. */
  at(node: TS.Node): void {
    const { line, column } = lineColumn(node);
    this.b.location = this.module.debug.location(line, column, this.scope);
  }

  /** What the frontend's checks (frontend/body-checks.ts) refuse before lowering: reaching it here is a bug. */
  notChecked(node: TS.Node, what: string): never {
    const { line, column } = lineColumn(node);
    throw new Error(`internal compiler error: ${what} at ${line}:${column} was not refused before lowering`);
  }

  unsupported(node: TS.Node, what?: string): never {
    const kind = what ?? describeSyntax(this.p.ts, node);
    throw errorAt(node, Codes.unsupportedSyntax, `${kind} is not supported in probe code`, "see docs/language.md for the subset that compiles to BPF");
  }

  expression(e: TS.Expression): Operand {
    const ts = this.p.ts;
    if (ts.isParenthesizedExpression(e)) return this.expression(e.expression);
    if (ts.isNumericLiteral(e)) return literal(e.getText(), e); // the source text: TypeScript rounds past 2^53
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword)
      return { value: constInt(i1, e.kind === ts.SyntaxKind.TrueKeyword ? 1 : 0), type: BOOL };
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isCallExpression(e)) {
      this.at(e);
      return this.call(e);
    }
    if (ts.isPropertyAccessExpression(e)) return this.propertyAccess(e);
    if (ts.isElementAccessExpression(e)) return this.elementRead(e);
    if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e) || ts.isStringLiteralLike(e)) return this.literalAggregate(e);
    if (ts.isPrefixUnaryExpression(e)) return this.prefix(e);
    if (ts.isPostfixUnaryExpression(e)) return this.increment(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? "+" : "-", false);
    if (ts.isBinaryExpression(e)) return this.binary(e);
    if (ts.isConditionalExpression(e)) return this.conditional(e);
    if (ts.isNonNullExpression(e)) {
      const v = this.expression(e.expression);
      if (v.type.kind === "optional")
        throw errorAt(e, Codes.unsupportedType, "`!` cannot make a map's value be there: the kernel may have none", "check it: `if (v !== undefined) …`, or give a default: `map.get(i) ?? 0`");
      return v;
    }
    if (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) return this.expression(e.expression);
    return this.unsupported(e);
  }

  /** An operand of an operator or a condition: an integer or boolean, never a struct or string. */
  scalar(e: TS.Expression): Operand {
    const v = this.expression(e);
    if (v.type.kind === "int" || v.type.kind === "bool" || v.type.kind === "ptr") return v;
    if (v.type.kind === "optional")
      throw errorAt(e, Codes.unsupportedType, `a ${typeName(v.type)} cannot be used as a number or a condition`, "check it first: `if (v !== undefined) …` or `v ?? 0` (the value may be absent)");
    throw errorAt(
      e,
      Codes.unsupportedType,
      `a ${typeName(v.type)} cannot be used as a number or a condition`,
      v.type.kind === "str" ? "strings are only stored and printed (printk's %s) in probe code" : "use one of its fields",
    );
  }

  /** An operand of arithmetic: an integer or boolean (not a pointer). */
  number(e: TS.Expression): Operand {
    const v = this.scalar(e);
    if (v.type.kind === "ptr") throw errorAt(e, Codes.unsupportedType, "pointer arithmetic is not supported", "compute on address(p) and make a pointer of the result");
    return v;
  }

  private identifier(e: TS.Identifier): Operand {
    if (isUndefined(this, e)) return ABSENT; // an absent optional where one is expected
    const local = this.local(e);
    if (local) {
      const v = { value: this.b.load(local.slot), type: local.type };
      // Where TypeScript has narrowed `V | undefined` to V, the value is known to be there.
      if (v.type.kind === "optional" && typeAt(this.p, e).kind !== "optional") return present(this, { ...v, type: v.type });
      return v;
    }
    const sym = this.p.symbolAt(e);
    // A record's fields are read where the kernel put them (loads from the context, which the verifier checks).
    if (sym && sym === this.context?.symbol && this.context.record) return { value: this.context.pointer, type: this.context.record };
    const param = sym && this.ml.paramOf(sym);
    if (param) return { value: this.b.load(param.ptr(this.b), undefined, true), type: param.type };
    const constant = sym && this.ml.decls.constants.get(sym);
    if (constant?.initializer && sym) {
      // A module-level constant is its initializer, lowered where it is used; LLVM folds it.
      if (this.inlining.has(sym)) this.unsupported(e, "a constant defined in terms of itself");
      this.inlining.add(sym);
      try {
        const v = this.expression(constant.initializer);
        return constant.type ? convertAt(this, v, typeAt(this.p, constant.name) as ValueType, constant.initializer) : v;
      } finally {
        this.inlining.delete(sym);
      }
    }
    const std = stdlibName(this.p, e);
    const named = std && stdlibConstant(std);
    if (named) return named;
    return this.unsupported(e, `using '${e.text}' here`);
  }

  protected local(e: TS.Identifier): Local | undefined {
    const sym = this.p.symbolAt(e);
    return sym ? this.locals.get(sym) : undefined;
  }

  private propertyAccess(e: TS.PropertyAccessExpression): Operand {
    const v = this.p.checker.getConstantValue(e);
    if (typeof v === "number" && Number.isInteger(v)) return literal(String(v), e); // an enum member
    const argument = this.contextArgument(e);
    if (argument) return argument;
    const kernelField = kernelFieldRead(this, e);
    if (kernelField) return kernelField;
    const base = this.expression(e.expression);
    if (base.type.kind === "struct") return read(this, fieldPlace(this, base, e.name.text, e.name));
    if (base.type.kind === "array" && e.name.text === "length") return literal(String(base.type.length), e);
    return this.unsupported(e, `the property access '${e.getText()}'`);
  }

  private elementRead(e: TS.ElementAccessExpression): Operand {
    const base = this.expression(e.expression);
    if (base.type.kind !== "array") return this.unsupported(e, "indexing this value");
    return this.atElement(base, e.argumentExpression, (place) => read(this, place), e);
  }

  /**
   * What `use` gives for the element of `array` at `index`; where a variable index is out of
   * range, the element type's zero (a read out of range gives 0, D16). One value either way.
   */
  private atElement(array: Operand, index: TS.Expression, use: (p: Place) => Operand, at: TS.Node): Operand {
    const elem = (array.type as ArrayType).elem;
    return withElement<Operand>(
      this,
      array,
      index,
      use,
      () => zeroOf(this, elem, at),
      (a, aBlock, b, bBlock) => ({ value: this.b.phi(irTypeOf(elem), [[a.value, aBlock as Block], [b.value, bBlock as Block]]), type: elem }),
    );
  }

  /** An object or array literal where a struct or FixedArray is expected: fresh storage. */
  private literalAggregate(e: TS.ObjectLiteralExpression | TS.ArrayLiteralExpression | TS.StringLiteralLike): Operand {
    const contextual = this.p.checker.getContextualType(e) ?? this.p.checker.getTypeAtLocation(e);
    const type = probeTypeOf(this.p, contextual, e);
    if (!isAggregate(type)) return this.unsupported(e, "a literal of this type");
    return literalValue(this, type, e);
  }

  private call(e: TS.CallExpression): Operand {
    const fn = this.ml.functionOf(e.expression);
    if (fn) {
      const args = e.arguments.map((a, i) => convertAt(this, this.expression(a), fn.params[i] as ValueType, a).value);
      if (isAggregate(fn.ret)) {
        // The caller provides the storage for an aggregate result (a hidden first argument).
        const storage = allocate(this, fn.ret, e);
        this.b.call(fn.ir.type, `@${fn.ir.fn.decl.name}`, [storage, ...args]);
        return { value: storage, type: fn.ret };
      }
      const value = this.b.call(fn.ir.type, `@${fn.ir.fn.decl.name}`, args);
      return { value, type: fn.ret };
    }
    const member = this.contextMember(e) ?? this.mapMethod(e);
    if (member) return member;
    const name = stdlibName(this.p, e.expression);
    const r = name ? lowerBuiltinCall(this, name, e) : undefined;
    if (r) return r;
    throw errorAt(e.expression, Codes.callNotInSubset, `'${e.expression.getText()}' cannot be called from probe code`, "call functions declared in this file with `function`, or tsbpf's helpers");
  }

  /** `ctx.prev`: an argument of the handler's context, its 64-bit slot read as the declared type. */
  private contextArgument(e: TS.PropertyAccessExpression): Operand | undefined {
    const index = this.context?.arguments?.get(e.name.text);
    if (index === undefined || !this.p.ts.isIdentifier(e.expression) || this.p.symbolAt(e.expression) !== this.context!.symbol) return undefined;
    const type = typeAt(this.p, e);
    if (type.kind !== "int" && type.kind !== "bool" && type.kind !== "ptr") return this.unsupported(e, `an argument of type ${typeName(type)}`);
    return argumentAs(this, this.b.load(this.b.byteOffset(this.context!.pointer, index * 8, i64), 8), type);
  }

  /** `ctx.arg(i)`: a method of a program's context, on the handler's own context. */
  private contextMember(e: TS.CallExpression): Operand | undefined {
    const ts = this.p.ts;
    if (!ts.isPropertyAccessExpression(e.expression)) return undefined;
    const name = stdlibMemberName(this.p, e.expression);
    const member = name && CONTEXT_MEMBERS.get(name);
    if (!member) return undefined;
    if (!this.context?.symbol || this.receiverOf(e.expression) !== this.context.symbol) this.notChecked(e, "a context method on something else than the handler's context");
    return member.lower(this, this.context.pointer, e);
  }

  /** `hits.get(i)`: a method of a map declared at the top level. */
  /** The name a method is called on (`hits` in `hits.get(0)`); undefined for anything but a plain name. */
  private receiverOf(access: TS.PropertyAccessExpression): TS.Symbol | undefined {
    return this.p.ts.isIdentifier(access.expression) ? this.p.symbolAt(access.expression) : undefined;
  }

  private mapMethod(e: TS.CallExpression): Operand | undefined {
    const ts = this.p.ts;
    if (!ts.isPropertyAccessExpression(e.expression)) return undefined;
    const sym = this.receiverOf(e.expression);
    const map = sym && this.ml.mapOf(sym);
    if (!map) return undefined;
    const method = map.kind.methods[e.expression.name.text];
    return method ? method(this, map, e) : this.unsupported(e, `the map method '${e.expression.name.text}'`);
  }

  private prefix(e: TS.PrefixUnaryExpression): Operand {
    const ts = this.p.ts;
    if (e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return literal("-" + e.operand.getText(), e);
    if (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)
      return this.increment(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? "+" : "-", true);
    const x = e.operator === ts.SyntaxKind.ExclamationToken ? this.scalar(e.operand) : this.number(e.operand);
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

  /** `++x`, `x++`, `--x`, `x--`: x = T(x ± 1); the expression is the new or the old value. */
  private increment(target: TS.Expression, op: "+" | "-", prefix: boolean): Operand {
    let old: Operand | undefined;
    const updated = this.assign(target, (o) => {
      old = o;
      return arith(this.b, op, o, literal("1", target));
    });
    return prefix ? updated : old!;
  }

  private binary(e: TS.BinaryExpression): Operand {
    const ts = this.p.ts;
    const kind = e.operatorToken.kind;
    const ops = operators(ts);
    if (kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken) return this.logical(e, kind === ts.SyntaxKind.AmpersandAmpersandToken);
    const a = ops.arith.get(kind);
    if (a) return arith(this.b, a, this.number(e.left), this.number(e.right));
    if (kind === ts.SyntaxKind.QuestionQuestionToken) {
      const v = this.expression(e.left);
      if (v.type.kind !== "optional") return v; // TypeScript lets `??` follow a value that is always there
      return orElse(this, { ...v, type: v.type }, e.right);
    }
    const c = ops.compare.get(kind);
    const absent = c === "==" || c === "!=" ? this.undefinedCompare(e, c) : undefined;
    if (absent) return absent;
    const strings = c === "==" || c === "!=" ? strEquality(this, e, c === "==") : undefined;
    if (strings) return strings;
    if (c) {
      const l = this.scalar(e.left);
      const r = this.scalar(e.right);
      if (l.type.kind === "ptr" || r.type.kind === "ptr") {
        // Addresses compare for (in)equality only, as 64-bit values.
        if (l.type.kind !== "ptr" || r.type.kind !== "ptr" || (c !== "==" && c !== "!="))
          throw errorAt(e, Codes.unsupportedType, "pointers can only be compared with === and !== to other pointers", "compare address(p) as a u64 if you need an order");
        return { value: this.b.icmp(c === "==" ? "eq" : "ne", l.value, r.value), type: BOOL };
      }
      return compare(this.b, c, l, r);
    }
    if (kind === ts.SyntaxKind.EqualsToken) return this.assign(e.left, () => this.expression(e.right));
    const compound = ops.compound.get(kind);
    if (compound) return this.assign(e.left, (old) => arith(this.b, compound, old, this.number(e.right)));
    if (e.operatorToken.kind === ts.SyntaxKind.CommaToken) {
      this.expression(e.left);
      return this.expression(e.right);
    }
    return this.unsupported(e.operatorToken, `the ${e.operatorToken.getText()} operator`);
  }

  /** `v === undefined`, `undefined !== v`, `v == null`: whether an optional is absent or present. */
  private undefinedCompare(e: TS.BinaryExpression, c: "==" | "!="): Operand | undefined {
    const [subject, other] = isUndefined(this, e.right) ? [e.left, e.right] : [e.right, e.left];
    if (!isUndefined(this, other)) return undefined;
    const v = this.expression(subject);
    if (v.type.kind !== "optional") return this.unsupported(e, `comparing a ${typeName(v.type)} with ${other.getText()} (it is never undefined)`);
    return compareWithUndefined(this, { ...v, type: v.type }, c === "==");
  }

  private assign(target: TS.Expression, value: (old: Operand) => Operand): Operand {
    const ts = this.p.ts;
    while (ts.isParenthesizedExpression(target)) target = target.expression;
    if (ts.isIdentifier(target)) {
      const local = this.local(target);
      if (!local) return this.unsupported(target, "assigning to this");
      // For an aggregate, the local is a reference: assigning rebinds it (JavaScript's semantics).
      const old = { value: this.b.load(local.slot), type: local.type };
      const v = convertAt(this, value(old), local.type as ValueType, target);
      this.b.store(v.value, local.slot);
      return v;
    }
    if (ts.isPropertyAccessExpression(target)) {
      const base = this.expression(target.expression);
      if (base.type.kind !== "struct") return this.unsupported(target, "assigning to this");
      const place = fieldPlace(this, base, target.name.text, target.name);
      return write(this, place, value(read(this, place)), target);
    }
    if (ts.isElementAccessExpression(target)) {
      const base = this.expression(target.expression);
      if (base.type.kind !== "array") return this.unsupported(target, "assigning to this");
      // The value of `xs[i] op= v` (rarely used) is what was stored; 0 where nothing was.
      return this.atElement(base, target.argumentExpression, (place) => write(this, place, value(read(this, place)), target), target);
    }
    return this.unsupported(target, "assigning to this");
  }

  /** `a && b`, `a || b`: b runs only when it decides the result. */
  private logical(e: TS.BinaryExpression, and: boolean): Operand {
    const left = truthy(this.b, this.scalar(e.left));
    const from = this.b.block;
    const rhs = this.fn.newBlock(and ? "and.rhs" : "or.rhs");
    const end = this.fn.newBlock(and ? "and.end" : "or.end");
    if (and) this.b.condBr(left, rhs, end);
    else this.b.condBr(left, end, rhs);
    this.b.positionAt(rhs);
    const right = truthy(this.b, this.scalar(e.right));
    const rhsEnd = this.b.block;
    this.b.br(end);
    this.b.positionAt(end);
    return { value: this.b.phi(i1, [[constInt(i1, and ? 0 : 1), from], [right, rhsEnd]]), type: BOOL };
  }

  private conditional(e: TS.ConditionalExpression): Operand {
    const cond = truthy(this.b, this.scalar(e.condition));
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
    const result = commonOf(t.v.type, f.v.type);
    if (result.kind === "void") this.unsupported(e, "a conditional without a value");
    if (isAggregate(t.v.type) !== isAggregate(f.v.type) || (isAggregate(result) && !sameLayout(t.v.type, f.v.type)))
      throw errorAt(e, Codes.unsupportedType, `the two arms of this conditional have different types (${typeName(t.v.type)} and ${typeName(f.v.type)})`, "give both arms the same type");
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
  if (isAggregate(a) || isAggregate(b)) return a;
  return resultType("+", a, b);
}

/** A numeric literal takes C's type: int if it fits, else long, else unsigned long. */
export function literal(text: string, at: TS.Node): Operand {
  const neg = text.startsWith("-");
  const mag = integerLiteral(neg ? text.slice(1) : text);
  if (mag === undefined) throw errorAt(at, Codes.float, `'${text}' is not an integer`, "probe code has no floating point: use integers");
  const v = neg ? -mag : mag;
  if (v >= 1n << 64n || v < -(1n << 63n)) throw errorAt(at, Codes.unsupportedType, `${text} does not fit in 64 bits`);
  const type = v >= -(1n << 31n) && v < 1n << 31n ? INT_TYPES.i32 : v < 1n << 63n ? INT_TYPES.i64 : INT_TYPES.u64;
  return { value: constInt(irTypeOf(type), BigInt.asIntN(type.bits, v)), type };
}

export type { Value };
