// tracepoint("category/event", handler): SEC("tracepoint/category/event"), run with the event's
// record as its context; attached through perf_event_open (runtime/attach/tracepoint.ts).

import { Codes } from "../frontend/codes.js";
import { constantValue } from "../frontend/constants.js";
import { INT_TYPES, typeAt, type StrType } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { constInt } from "../ir/ir-module.js";
import { i8, i32, i64 } from "../ir/ir-types.js";
import { allocate } from "../lower/aggregate-storage.js";
import { convert } from "../lower/arith.js";
import { Helper } from "../../contract/helper-ids.js";
import { literalTarget, type ContextMember, type ProgramKind } from "./program-kind.js";
import { TRACING_HELPERS } from "./helper-sets.js";

/**
 * `ctx.str(ctx.filename, 256)`: a `__data_loc` string of the record. The field holds the string's
 * length (high 16 bits) and its offset from the record's start (low 16); the string is read from
 * there with bpf_probe_read_kernel_str, as bpftrace's str(args.filename) does.
 */
const str: ContextMember = {
  check(p, call, constants) {
    const size = call.arguments[1];
    const n = size && constantValue(p, size, constants);
    if (n !== undefined && n >= 1n && n <= 4096n) return undefined;
    return errorAt(size ?? call, Codes.badContextArgument, "the string's size must be a constant from 1 to 4096", "e.g. ctx.str(ctx.filename, 256): the Str it gives holds size − 1 bytes and a NUL");
  },
  lower(l, context, call) {
    const type = typeAt(l.p, call) as StrType;
    const loc = convert(l.b, l.expression(call.arguments[0]), INT_TYPES.u32).value;
    const offset = l.b.cast("zext", l.b.binary("and", loc, constInt(i32, 0xffff)), i64);
    const storage = allocate(l, type, call);
    l.b.callHelper(Helper.probeReadKernelStr, i64, [storage, constInt(i32, type.length), l.b.byteOffset(context, offset, i8)]);
    return { value: storage, type };
  },
};

export const tracepointKind: ProgramKind = {
  name: "tracepoint",
  target(p, args, declaredAt) {
    const { name, node } = literalTarget(args, declaredAt, p, {
      what: "tracepoint",
      pattern: /^[A-Za-z0-9_]+\/[A-Za-z0-9_.-]+$/,
      shape: () => 'tracepoints are named "category/event", as under /sys/kernel/tracing/events (e.g. "syscalls/sys_enter_openat")',
      example: "syscalls/sys_enter_openat",
    });
    return { target: name, section: `tracepoint/${name}`, node };
  },
  returns: "ignored",
  helpers: TRACING_HELPERS,
  // Its methods are declared on TracepointRecord, which every context type extends.
  context: { type: "TracepointRecord", fields: true, members: { str } },
};
