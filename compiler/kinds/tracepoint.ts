// tracepoint("category/event", handler): SEC("tracepoint/category/event"), run with the event's
// record as its context; attached through perf_event_open (runtime/attach/tracepoint.ts).

import { literalTarget, type ProgramKind } from "./program-kind.js";
import { TRACING_HELPERS } from "./helper-sets.js";

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
  context: { type: "TracepointContext", fields: true },
};
