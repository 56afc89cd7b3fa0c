// What the probes on kernel functions share (kprobe.ts, ksyscall.ts, fentry.ts): their target
// (a name, a list of alternatives or a pattern, and `{ optional }`), the checks of the handler's
// parameters, which are the function's arguments, and an argument's value as its declared type.

import type * as TS from "typescript";
import type { TsbpfError } from "../../contract/errors.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { INT_TYPES, probeTypeOf, typeName, type ScalarType } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { i64, i8 } from "../ir/ir-types.js";
import { convert, truthy, type Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import type { HandlerParameters, ProgramTarget } from "./program-kind.js";
import { archRegisters } from "./registers.js";
import { nearestNames } from "../../contract/nearest-names.js";
import { functionNames } from "../btf/kernel-types.js";

/** A glob over function names: `*` any run of characters, `?` one. */
export const isPattern = (name: string): boolean => /[*?]/.test(name);

export interface TargetRule {
  /** The stdlib function, for messages ("kprobe"). */
  kind: string;
  /** The section's prefix: libbpf reads the program type from it ("kprobe" → SEC("kprobe/fn")). */
  section: string;
  /** What the target names, for messages: "kernel function", "system call". */
  what: string;
  /** The names it takes (patterns aside). */
  name: RegExp;
  /** Whether it takes a pattern ("vfs_*"). */
  patterns: boolean;
  example: string;
}

/** Kernel symbols: C identifiers, and the compiler's local ones (`fuse_open.cold`, `.isra.0`). */
export const KERNEL_SYMBOL = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * What to do about a parameter without a type: declare it, or (a name the kernel's BTF does not
 * have, usually a typo) the kernel's nearest function names.
 */
function untypedHint(p: CheckedSource, target: ProgramTarget, rule: ParameterRule): string {
  const btf = p.kernel?.btf;
  if (!btf || isPattern(target.target) || target.alternatives) return rule.untypedHint;
  nearestFunctions ??= new Map();
  let near = nearestFunctions.get(target.target);
  if (!near) nearestFunctions.set(target.target, (near = nearestNames(target.target, functionNames(btf))));
  return near.length ? `the running kernel has no function '${target.target}': did you mean ${near.map((n) => `'${n}'`).join(", ")}? (${rule.untypedHint})` : rule.untypedHint;
}

/** Each misspelt name's nearest kernel functions, found once per compile process. */
let nearestFunctions: Map<string, string[]> | undefined;

/**
 * The arguments before the handler: the function (a string literal, or an array literal of
 * alternatives), then optionally `{ optional: true }`.
 */
export function kernelFunctionTarget(p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node, rule: TargetRule): ProgramTarget {
  const { ts } = p;
  const [fn, options, extra] = args;
  const bad = (node: TS.Node, message: string, hint: string): TsbpfError => errorAt(node, Codes.badKernelFunctionTarget, message, hint);
  if (extra) throw bad(extra, `${rule.kind}() takes the ${rule.what}, its options, then the handler`, `e.g. ${rule.kind}("${rule.example}", { optional: true }, (…) => { … })`);
  if (!fn) throw errorAt(declaredAt, Codes.programTargetNotLiteral, `${rule.kind}() needs the ${rule.what} to probe`, `e.g. ${rule.kind}("${rule.example}", (…) => { … })`);
  const optional = options ? optionalFlag(p, options, rule) : false;
  const checkName = (node: TS.Expression, inList: boolean): string => {
    if (!ts.isStringLiteralLike(node)) throw errorAt(node, Codes.programTargetNotLiteral, `the ${rule.what}'s name must be a string literal`, `write it out, e.g. "${rule.example}"`);
    const name = node.text;
    if (isPattern(name)) {
      if (!rule.patterns) throw bad(node, `${rule.kind}() takes one ${rule.what}, not a pattern ("${name}")`, `name the ${rule.what}; kprobe() takes patterns`);
      if (inList) throw bad(node, `a list of alternatives names functions, not patterns ("${name}")`, "probe the pattern in a program of its own");
      if (!/^[A-Za-z0-9_.*?]+$/.test(name)) throw bad(node, `"${name}" is not a pattern over ${rule.what} names`, 'a pattern is a name with `*` (any run of characters) and `?` (one character): "vfs_*"');
      return name;
    }
    if (!rule.name.test(name)) throw bad(node, `"${name}" is not a ${rule.what} name`, `name it as the kernel does, e.g. "${rule.example}"`);
    return name;
  };
  if (ts.isArrayLiteralExpression(fn)) {
    if (!fn.elements.length) throw bad(fn, `the list of ${rule.what}s is empty`, `name the ${rule.what}s to try in order, e.g. ["fuse_open_common", "fuse_open"]`);
    const names = fn.elements.map((e) => checkName(e, true));
    const target = names[0];
    return { target, section: `${rule.section}/${target}`, node: fn, ...(names.length > 1 && { alternatives: names }), ...(optional && { optional }) };
  }
  const target = checkName(fn, false);
  return { target, section: `${rule.section}/${target}`, node: fn, ...(optional && { optional }) };
}

/** `{ optional: true }`: a literal the compiler reads. */
function optionalFlag(p: CheckedSource, options: TS.Expression, rule: TargetRule): boolean {
  const { ts } = p;
  const hint = `write the options out: ${rule.kind}("${rule.example}", { optional: true }, (…) => { … })`;
  if (!ts.isObjectLiteralExpression(options)) throw errorAt(options, Codes.badKernelFunctionTarget, `${rule.kind}()'s options must be an object literal`, hint);
  let optional = false;
  for (const prop of options.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name) || prop.name.text !== "optional")
      throw errorAt(prop, Codes.badKernelFunctionTarget, `${rule.kind}() has one option, \`optional\``, hint);
    const v = prop.initializer.kind;
    if (v !== ts.SyntaxKind.TrueKeyword && v !== ts.SyntaxKind.FalseKeyword) throw errorAt(prop.initializer, Codes.badKernelFunctionTarget, "`optional` must be `true` or `false`", hint);
    optional = v === ts.SyntaxKind.TrueKeyword;
  }
  return optional;
}

export interface ParameterRule {
  kind: string;
  /** The most parameters the handler may have, and why, for the error. */
  max: number;
  tooMany: string;
  /** The types the handler gives parameters it leaves untyped, when the function is not in KernelFunctions. */
  untypedHint: string;
  /** Why a parameter needs a type, when not because the function is not in KernelFunctions (a uprobe's: user code has no BTF). */
  untypedWhy?: string;
  /** What the arguments are, for messages ("a kernel function's"). */
  whose?: string;
}

/**
 * Each parameter of a handler whose parameters are a kernel function's arguments: at most
 * `rule.max`, plain names, each of a type a register holds (an integer, boolean or pointer); a
 * pattern's each u64 (the functions it matches have arguments of different types). Reported to
 * `p.diagnostics`, one error per parameter.
 */
export function checkArgumentParameters(p: CheckedSource, handler: TS.SignatureDeclaration, target: ProgramTarget, rule: ParameterRule): void {
  const { ts } = p;
  handler.parameters.forEach((param, i) => {
    const report = (node: TS.Node, message: string, hint: string) => p.diagnostics.report(errorAt(node, Codes.badHandlerParameter, message, hint));
    if (i >= rule.max) return report(param, `${rule.kind}'s handler takes at most ${rule.max} parameter${rule.max === 1 ? "" : "s"}: ${rule.tooMany}`, "leave the others out");
    if (!ts.isIdentifier(param.name) || param.initializer || param.questionToken || param.dotDotDotToken)
      return report(param, `${rule.whose ?? "a kernel function's"} arguments are plain parameters: no destructuring, default, optional or rest parameter`, "write one name per argument, e.g. (inode, file) => …");
    const tsType = p.checker.getTypeAtLocation(param.name);
    if (tsType.flags & ts.TypeFlags.Any)
      return report(param, `parameter '${param.name.text}' has no type: ${rule.untypedWhy ?? `'${target.target}' is not among the kernel functions whose prototypes tsbpf knows (KernelFunctions)`}`, rule.untypedWhy ? rule.untypedHint : untypedHint(p, target, rule));
    let type;
    try {
      type = probeTypeOf(p, tsType, param.name);
    } catch {
      return report(param, `parameter '${param.name.text}' has a type no register holds ('${p.checker.typeToString(tsType)}')`, "declare an integer type (u8…u64, i8…i64), boolean, or a Ptr<T>/UserPtr<T>: a struct is passed by its address");
    }
    if (type.kind !== "int" && type.kind !== "bool" && type.kind !== "ptr")
      return report(param, `parameter '${param.name.text}' is a ${typeName(type)}: ${rule.whose ?? "a kernel function's"} argument is one register`, "declare it as the Ptr<T> it points to, or an integer (u8…u64, i8…i64), or boolean");
    if (isPattern(target.target) && !(type.kind === "int" && type.bits === 64 && !type.signed))
      report(param, `parameter '${param.name.text}' is a ${typeName(type)}, but the functions a pattern ("${target.target}") matches have arguments of different types: each is a u64`, "declare it u64 (or leave it untyped), and convert it where a function is known: kernelPtr<file>(a)");
  });
}

/** The 8 bytes at `offset` in the context (a saved register, a trampoline's argument) as the parameter's type. */
export function contextWordAs(l: ExpressionLowerer, context: Operand["value"], offset: number, type: ScalarType): Operand {
  return argumentAs(l, l.b.load(l.b.byteOffset(context, offset, i64), 8), type);
}

/** A register's 64 bits as the parameter's declared type: integers truncated, booleans their low byte, pointers the address. */
export function argumentAs(l: ExpressionLowerer, raw: Operand["value"], type: ScalarType): Operand {
  if (type.kind === "bool") return { value: truthy(l.b, { value: l.b.cast("trunc", raw, i8), type: INT_TYPES.u8 }), type };
  if (type.kind === "ptr") return { value: raw, type };
  return convert(l.b, { value: raw, type: INT_TYPES.u64 }, type);
}

/**
 * Handler parameters read from the probed function's argument registers (kprobe, uprobe): at
 * most as many as the calling convention passes in registers. `rule` says the kind's words.
 */
export function argumentRegisters(rule: Omit<ParameterRule, "max" | "tooMany">, probe: string): HandlerParameters {
  return {
    check(p, handler, target) {
      const regs = archRegisters();
      const tooMany = `the arguments past the ${regs.args.length}th are passed on the stack on ${regs.name}, which a ${probe} does not read`;
      checkArgumentParameters(p, handler, target, { ...rule, max: regs.args.length, tooMany });
    },
    lower: (l, context, index, type) => contextWordAs(l, context, archRegisters().args[index], type),
  };
}

/** The one handler parameter read from the return register (kretprobe, uretprobe): the function's result. */
export function returnRegister(rule: Omit<ParameterRule, "max" | "tooMany">, probe: string): HandlerParameters {
  return {
    check: (p, handler, target) =>
      checkArgumentParameters(p, handler, target, {
        ...rule,
        max: 1,
        tooMany: `the function's return value (its arguments are gone when it returns: a ${probe} can keep them in a map by tid)`,
      }),
    lower: (l, context, _index, type) => contextWordAs(l, context, archRegisters().ret, type),
  };
}
