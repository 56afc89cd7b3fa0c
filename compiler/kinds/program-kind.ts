// What the compiler knows of a kind of BPF program. Each kind is one file in this folder,
// listed in registry.ts; nothing else in the compiler compares kind names. The runtime's half
// (how it attaches) is runtime/attach/<kind>.ts.

import type * as TS from "typescript";
import type { TsbpfError } from "../../contract/errors.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import type { IntType, ScalarType } from "../frontend/probe-types.js";
import type { Operand } from "../lower/arith.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import type { HelperSet } from "./helper-sets.js";

export interface ProgramTarget {
  /** What the program attaches to, as the manifest and the runtime name it ("" for none). */
  target: string;
  /** The ELF section: libbpf and bpftool read the program type and attach point from it. */
  section: string;
  /** Where errors about the target point. */
  node: TS.Node;
  /** Targets to try in order, the first the kernel has taken (`kprobe(["fuse_open_common", "fuse_open"], …)`); `target` is the first. */
  alternatives?: string[];
  /** Attach only where the kernel has the target: missing, the program is left out without a word. */
  optional?: boolean;
}

/**
 * Handler parameters that are not a context but values the kind reads from it (a kprobe's are
 * the kernel function's arguments): checked before lowering, then each lowered by the kind.
 */
export interface HandlerParameters {
  /** Reports to `p.diagnostics` what is wrong with the handler's parameters for this target. */
  check(p: CheckedSource, handler: TS.SignatureDeclaration, target: ProgramTarget): void;
  /** Before the parameters are lowered, once per program: what they all read from (usdt's spec). */
  prepare?(l: ExpressionLowerer, context: Operand["value"], handler: TS.SignatureDeclaration): void;
  /** Parameter `index` (of `handler`), of the checked type `type`, read through the context pointer. */
  lower(l: ExpressionLowerer, context: Operand["value"], index: number, type: ScalarType, handler: TS.SignatureDeclaration): Operand;
  /**
   * Whether the kernel passes parameter `index` typed by its BTF (a BPF trampoline's arguments):
   * the verifier then knows what a pointer among them points to, and kernel struct fields read
   * through it are loads.
   */
  typedByBtf?(index: number, handler: TS.SignatureDeclaration): boolean;
  /**
   * The runtime checks the parameters against the target (a USDT probe's arguments, from the
   * binary's note): the manifest's ProgramInfo.parameters carries their types and places.
   */
  readonly manifest?: true;
}

/**
 * `ctx.member(…)` on a program's context: what is wrong with a call, found before lowering
 * (each call is checked), and its lowering with the program's context pointer.
 */
export interface ContextMember {
  check?(p: CheckedSource, call: TS.CallExpression, constants: ReadonlyMap<TS.Symbol, TS.VariableDeclaration>): TsbpfError | undefined;
  lower(l: ExpressionLowerer, context: Operand["value"], call: TS.CallExpression): Operand;
}

export interface ProgramKind {
  /** The stdlib function that declares a program of this kind (stdlib/programs.d.ts); the manifest's `kind`. */
  readonly name: string;
  /**
   * Reads the arguments before the handler (the target) and gives the section. `declaredAt` is
   * the call's callee, for kinds that take no target.
   */
  target(p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node): ProgramTarget;
  /** What the handler returns: the kernel ignores it ("ignored"), or a verdict of this type. */
  readonly returns: IntType | "ignored";
  /** The sets of helpers (helper-sets.ts) this kind may call. */
  readonly helpers: readonly HelperSet[];
  /**
   * The context type's name in the stdlib, and the methods it has (`RawTracepointContext.arg`);
   * none for a kind whose handler takes `parameters` instead.
   */
  readonly context?: {
    readonly type: string;
    readonly members?: Readonly<Record<string, ContextMember>>;
    /** `ctx.field` reads the record the kernel passes, laid out as the context type's argument says (`tracepoint<Fields>`). */
    readonly fields?: true;
    /** `ctx.name` reads an argument the kernel passes as a 64-bit slot, by its position in the context type's argument (`RawTracepointArgs<Args>`). */
    readonly arguments?: true;
    /** Those arguments are typed by the kernel's BTF (tp_btf): see HandlerParameters.btfTyped. */
    readonly btfTyped?: true;
  };
  /** What the handler's parameters are, for a kind whose handler takes values rather than a context. */
  readonly parameters?: HandlerParameters;
  /** Named constants of this kind (`XDP_PASS`): their stdlib names, values and types. */
  readonly constants?: Readonly<Record<string, { value: bigint; type: IntType }>>;
}

/**
 * The first argument as a string literal that `pattern` accepts: a tracepoint's name. `shape`
 * says what a name looks like, for the error.
 */
export function literalTarget(args: readonly TS.Expression[], declaredAt: TS.Node, p: CheckedSource, rule: { what: string; pattern: RegExp; shape: (name: string) => string; example: string }): { name: string; node: TS.Node } {
  const arg = args[0];
  if (!arg || !p.ts.isStringLiteralLike(arg))
    throw errorAt(arg ?? declaredAt, Codes.programTargetNotLiteral, `the ${rule.what} name must be a string literal`, `write it out, e.g. "${rule.example}"`);
  if (!rule.pattern.test(arg.text)) throw errorAt(arg, Codes.badTracepointName, `"${arg.text}" is not a ${rule.what} name`, rule.shape(arg.text));
  return { name: arg.text, node: arg };
}
