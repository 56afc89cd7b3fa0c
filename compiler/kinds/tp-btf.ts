// tpBtf("event", handler): SEC("tp_btf/event"), a raw tracepoint whose program the kernel checks
// against the tracepoint's own prototype (btf_trace_<event> in its BTF; libbpf finds its id at
// load): the arguments are read with ctx.arg(i) as in a raw tracepoint, and a name the kernel
// does not have fails the load, not the attach. bcc's and libbpf-tools' runqlat use it on
// sched_wakeup and sched_switch. (Their typed TP_PROTO arguments come with kernel types.)

import { TRACING_HELPERS } from "./helper-sets.js";
import type { ProgramKind } from "./program-kind.js";
import { arg, rawTracepointName } from "./raw-tracepoint.js";

export const tpBtfKind: ProgramKind = {
  name: "tpBtf",
  target(p, args, declaredAt) {
    const { name, node } = rawTracepointName(p, args, declaredAt);
    return { target: name, section: `tp_btf/${name}`, node };
  },
  returns: "ignored",
  helpers: TRACING_HELPERS,
  context: { type: "RawTracepointContext", members: { arg }, arguments: true, btfTyped: true },
};
