// rawTracepoint("event", handler): SEC("raw_tp/event"). The handler runs where the kernel calls
// the tracepoint, before any record is formatted, and reads the tracepoint's own arguments
// (its TP_PROTO) with ctx.arg(i): cheaper than a tracepoint, and it sees the raw pointers.

import { Codes } from "../frontend/codes.js";
import { constantValue } from "../frontend/constants.js";
import { INT_TYPES } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { i64 } from "../ir/ir-types.js";
import { TRACING_HELPERS } from "./helper-sets.js";
import { literalTarget, type ContextMember, type ProgramKind } from "./program-kind.js";

/** The context is `u64 args[]`; the kernel passes at most 12 (MAX_BPF_FUNC_ARGS). */
const MAX_ARGS = 12;

/** `ctx.arg(i)`: also tpBtf's (tp-btf.ts), whose context is the same array of arguments. */
export const arg: ContextMember = {
  check(p, call, constants) {
    const index = call.arguments[0];
    const i = index && constantValue(p, index, constants);
    if (i !== undefined && i >= 0n && i < BigInt(MAX_ARGS)) return undefined;
    return errorAt(
      index ?? call,
      Codes.badContextArgument,
      i === undefined ? "the argument's index must be a constant" : `a raw tracepoint has at most ${MAX_ARGS} arguments: ctx.arg(${i}) is past the last`,
      "write the index as a constant from 0 to 11: the verifier checks each access to the context at load time",
    );
  },
  lower(l, context, call) {
    const i = constantValue(l.p, call.arguments[0], l.ml.decls.constants);
    if (i === undefined || i < 0n || i >= BigInt(MAX_ARGS)) l.notChecked(call, "ctx.arg() of an index that is not a constant from 0 to 11");
    return { value: l.b.load(l.b.byteOffset(context, Number(i) * 8, i64), 8), type: INT_TYPES.u64 };
  },
};

/** A raw tracepoint's name (its event alone: "sched_switch"), as rawTracepoint and tpBtf take it. */
export const rawTracepointName: (...a: Parameters<ProgramKind["target"]>) => ReturnType<typeof literalTarget> = (p, args, declaredAt) =>
  literalTarget(args, declaredAt, p, {
    what: "raw tracepoint",
    pattern: /^[A-Za-z0-9_]+$/,
    shape: (name) =>
      name.includes("/")
        ? `a raw tracepoint is named by its event alone, without the category: "${name.slice(name.lastIndexOf("/") + 1)}"`
        : 'a raw tracepoint is named by its event, e.g. "sched_switch" or "sys_enter"',
    example: "sched_switch",
  });

export const rawTracepointKind: ProgramKind = {
  name: "rawTracepoint",
  target(p, args, declaredAt) {
    const { name, node } = rawTracepointName(p, args, declaredAt);
    return { target: name, section: `raw_tp/${name}`, node };
  },
  returns: "ignored",
  helpers: TRACING_HELPERS,
  context: { type: "RawTracepointContext", members: { arg }, arguments: true },
};
