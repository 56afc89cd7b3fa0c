// perfEvent({ type, config, frequency | period }, handler) and interval(ms, handler): SEC("perf_event"),
// a program the kernel runs on a perf event's overflow: a sample of every CPU's clock (bpftrace's
// profile:hz:99, bcc's profile), a count of page faults, or once per interval on one CPU
// (bpftrace's interval:ms:100). The event is read here from literals and carried in the target
// ("software/cpu-clock/frequency=99"); the runtime opens it on each CPU (runtime/attach/perf-event.ts).

import type * as TS from "typescript";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { PERF_EVENTS, perfEventTargetText } from "../../contract/perf-events.js";
import { TRACING_HELPERS } from "./helper-sets.js";
import type { ProgramKind } from "./program-kind.js";


const EXAMPLE = 'perfEvent({ type: "software", config: "cpu-clock", frequency: 99 }, (ctx) => { … })';

function perfEventTarget(p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node) {
  const { ts } = p;
  const event = args[0];
  const bad = (node: TS.Node, message: string, hint = `e.g. ${EXAMPLE}`) => errorAt(node, Codes.badPerfEvent, message, hint);
  if (!event || !ts.isObjectLiteralExpression(event)) throw bad(event ?? declaredAt, "perfEvent() takes the event as an object literal");
  const fields = new Map<string, TS.Expression>();
  for (const prop of event.properties) {
    if (!ts.isPropertyAssignment(prop) || !ts.isIdentifier(prop.name) || !["type", "config", "frequency", "period"].includes(prop.name.text))
      throw bad(prop, "a perf event has a `type`, a `config`, and a `frequency` or a `period`");
    fields.set(prop.name.text, prop.initializer);
  }
  const text = (name: string): string => {
    const v = fields.get(name);
    if (!v || !ts.isStringLiteralLike(v)) throw bad(v ?? event, `the event's \`${name}\` must be a string literal`);
    return v.text;
  };
  const type = text("type");
  if (type !== "software" && type !== "hardware") throw bad(fields.get("type")!, `"${type}" is not a perf event type`, 'the types are "software" (cpu-clock, page-faults, …) and "hardware" (cycles, instructions, …)');
  const config = text("config");
  const known = PERF_EVENTS[type];
  if (!(config in known)) throw bad(fields.get("config")!, `"${config}" is not a ${type} perf event`, `the ${type} events: ${Object.keys(known).join(", ")}`);
  const frequency = fields.get("frequency");
  const period = fields.get("period");
  if ((frequency === undefined) === (period === undefined)) throw bad(event, "a perf event has either a `frequency` (samples per second) or a `period` (events between samples)");
  const rate = (frequency ?? period)!;
  if (!ts.isNumericLiteral(rate) || !Number.isSafeInteger(Number(rate.text)) || Number(rate.text) <= 0)
    throw bad(rate, `the ${frequency ? "frequency" : "period"} must be a positive integer literal`);
  return { target: perfEventTargetText({ type, config, rate: frequency ? "frequency" : "period", value: Number(rate.text) }), section: "perf_event", node: event };
}

function intervalTarget(p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node) {
  const ms = args[0];
  if (!ms || !p.ts.isNumericLiteral(ms) || !Number.isSafeInteger(Number(ms.text)) || Number(ms.text) <= 0)
    throw errorAt(ms ?? declaredAt, Codes.badPerfEvent, "interval() takes its period in milliseconds, a positive integer literal", "e.g. interval(1000, () => { … }) for once a second");
  return { target: perfEventTargetText({ type: "software", config: "cpu-clock", rate: "interval", value: Number(ms.text) }), section: "perf_event", node: ms };
}

/** A perf event program: what the kernel passes is the sample (bpf_perf_event_data); its result is ignored. */
const perfEventProgram = (name: string, target: ProgramKind["target"]): ProgramKind => ({
  name,
  target,
  returns: "ignored",
  // A sample interrupts whatever runs on its CPU: the current task is the one sampled, as profilers want.
  helpers: TRACING_HELPERS,
  context: { type: "PerfEventContext" },
});

export const perfEventKind = perfEventProgram("perfEvent", perfEventTarget);
export const intervalKind = perfEventProgram("interval", intervalTarget);
