// fentry(fn, (a, b, …) => …): SEC("fentry/fn"); fexit(fn, (a, b, …, ret) => …): SEC("fexit/fn").
// The kernel calls the program from a BPF trampoline on the function, and checks it at load
// against the function's BTF (libbpf finds the function's BTF id then: a function the kernel
// does not have fails the load, so the runtime chooses among alternatives before loading,
// runtime/attach/fentry.ts). The context is the arguments as an array of u64; fexit's return
// value comes from bpf_get_func_ret (Linux 5.17), which needs no count of the arguments.

import type * as TS from "typescript";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { i64, i8, ptrTo } from "../ir/ir-types.js";
import { Helper } from "../../contract/helper-ids.js";
import { argumentAs, checkArgumentParameters, contextWordAs, KERNEL_SYMBOL, kernelFunctionTarget, type TargetRule } from "./kernel-function.js";
import { FUNCTION_HELPERS, TRACING_HELPERS } from "./helper-sets.js";
import type { ProgramKind } from "./program-kind.js";

/** MAX_BPF_FUNC_ARGS: what a trampoline passes (x86-64 since Linux 6.6; 6 before, and on arm64 8). */
const MAX_ARGS = 12;

const rule = (kind: string): TargetRule => ({ kind, section: kind, what: "kernel function", name: KERNEL_SYMBOL, patterns: false, example: "vfs_read" });

const UNTYPED = "declare its type, e.g. (file: Ptr<file>, count: u64) => …: the arguments of a function tsbpf has no prototype of are what the handler says";

export const fentryKind: ProgramKind = {
  name: "fentry",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("fentry")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: {
    check: (p, handler, target) => checkArgumentParameters(p, handler, target, { kind: "fentry", max: MAX_ARGS, tooMany: "a BPF trampoline passes at most 12 arguments", untypedHint: UNTYPED }),
    lower: (l, context, index, type) => contextWordAs(l, context, index * 8, type),
    typedByBtf: () => true,
  },
};

export const fexitKind: ProgramKind = {
  name: "fexit",
  target: (p, args, declaredAt) => kernelFunctionTarget(p, args, declaredAt, rule("fexit")),
  returns: "ignored",
  helpers: [...TRACING_HELPERS, FUNCTION_HELPERS],
  parameters: {
    check(p, handler, target) {
      checkArgumentParameters(p, handler, target, { kind: "fexit", max: MAX_ARGS + 1, tooMany: "a BPF trampoline passes at most 12 arguments, then the return value", untypedHint: UNTYPED });
      const listed = typedArgumentCount(p, handler);
      if (listed !== undefined && handler.parameters.length !== listed + 1 && handler.parameters.length)
        p.diagnostics.report(
          errorAt(
            handler.parameters[handler.parameters.length - 1],
            Codes.badHandlerParameter,
            `fexit's handler lists every argument of '${target.target}' (${listed}), then its return value: this one has ${handler.parameters.length} parameter${handler.parameters.length === 1 ? "" : "s"}`,
            "the last parameter is the return value: list the arguments before it, all of them",
          ),
        );
    },
    lower(l, context, index, type, handler) {
      if (index < handler.parameters.length - 1) return contextWordAs(l, context, index * 8, type);
      const slot = l.fn.alloca(i64, 8);
      l.b.callHelper(Helper.getFuncRet, i64, [context, l.b.cast("bitcast", slot, ptrTo(i8))]);
      return argumentAs(l, l.b.load(slot, 8), type);
    },
    // The return value comes from a helper: a number to the verifier, whatever its C type.
    typedByBtf: (index, handler) => index < handler.parameters.length - 1,
  },
};

/**
 * How many arguments the handler's declared type lists before the return value, when it is typed
 * from KernelFunctions (a tuple of the arguments and the result); undefined when the handler
 * declares the types itself.
 */
function typedArgumentCount(p: CheckedSource, handler: TS.SignatureDeclaration): number | undefined {
  const contextual = p.ts.isArrowFunction(handler) || p.ts.isFunctionExpression(handler) ? p.checker.getContextualType(handler) : undefined;
  const rest = contextual?.getCallSignatures()[0]?.getParameters()[0];
  const restType = rest && p.checker.getTypeOfSymbol(rest);
  if (!restType || !p.checker.isTupleType(restType)) return undefined;
  return p.checker.getTypeArguments(restType as TS.TypeReference).length - 1;
}
