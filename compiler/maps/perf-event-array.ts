// PerfEventArray<E>(): events to user space through per-CPU perf buffers, for kernels before 5.8
// (which lack the ring buffer). `emit(e)` is bpf_perf_event_output into the buffer of the CPU the
// program runs on; the map has a slot per possible CPU (libbpf sizes it when it is declared with
// none) and user space opens a perf buffer in each (runtime/maps/perf-event-array.ts). The kernel
// counts what a full buffer loses, and user space reads those counts.

import { sizeOf } from "../../contract/c-layout.js";
import { Codes } from "../frontend/codes.js";
import { BOOL, INT_TYPES } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { constInt } from "../ir/ir-module.js";
import { i64, i8, ptrTo } from "../ir/ir-types.js";
import { convertAt } from "../lower/aggregate-storage.js";
import { Helper } from "../../contract/helper-ids.js";
import { MapType } from "./btf-map.js";
import { addressOf, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

/** BPF_F_CURRENT_CPU: the buffer of the CPU the program runs on. */
const CURRENT_CPU = 0xffffffffn;

export const perfEventArrayKind: MapKind = {
  name: "PerfEventArray",
  mapType: MapType.perfEventArray,
  // 0: libbpf makes one slot per possible CPU of the machine it loads on.
  entries: 0,
  stream: { slots: INT_TYPES.u32, countsDrops: false },
  types: (p, [event], at) => ({ key: INT_TYPES.u32, value: valueTypeOf(p, event, at, "a PerfEventArray's events", "new PerfEventArray<OpenEvent>()") }),
  methods: {
    emit: (l, map, call) => {
      if (!l.context)
        throw errorAt(call, Codes.unsupportedSyntax, "PerfEventArray.emit() needs the program's context, which only its handler has", "call emit() in the handler (a function can return the event for the handler to send), or use a RingBuf, which needs none");
      const arg = call.arguments[0];
      const event = convertAt(l, l.expression(arg), map.value, arg);
      const data = addressOf(l, event, map.value, "value");
      const mapArg = l.b.cast("bitcast", map.ref, ptrTo(i8));
      const result = l.b.callHelper(Helper.perfEventOutput, i64, [l.context.pointer, mapArg, constInt(i64, CURRENT_CPU), data, constInt(i64, sizeOf(map.value))]);
      return { value: l.b.icmp("eq", result, constInt(i64, 0)), type: BOOL };
    },
  },
};
