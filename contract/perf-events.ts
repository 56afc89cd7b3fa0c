// The perf events a probe may sample (perfEvent), by type and name as perf(1) names them, with
// their perf_event_attr.type and .config (include/uapi/linux/perf_event.h): the compiler checks a
// probe's event against this, the runtime opens it from this.

export const PERF_TYPES = { hardware: 0, software: 1 } as const;

export const PERF_EVENTS: Record<keyof typeof PERF_TYPES, Readonly<Record<string, number>>> = {
  software: { "cpu-clock": 0, "task-clock": 1, "page-faults": 2, "context-switches": 3, "cpu-migrations": 4, "minor-faults": 5, "major-faults": 6 },
  hardware: { cycles: 0, "cpu-cycles": 0, instructions: 1, "cache-references": 2, "cache-misses": 3, "branch-instructions": 4, "branch-misses": 5, "bus-cycles": 6, "ref-cycles": 9 },
};

/** What a perf event program attaches to, as the manifest's target carries it: "software/cpu-clock/frequency=99". */
export interface PerfEventTarget {
  type: keyof typeof PERF_TYPES;
  config: string;
  /** Samples a second, events between samples, or (interval) milliseconds of cpu-clock. */
  rate: "frequency" | "period" | "interval";
  value: number;
}

export const perfEventTargetText = (t: PerfEventTarget): string => `${t.type}/${t.config}/${t.rate}=${t.value}`;

export function parsePerfEventTarget(text: string): PerfEventTarget | undefined {
  const m = /^(software|hardware)\/([a-z-]+)\/(frequency|period|interval)=(\d+)$/.exec(text);
  if (!m || PERF_EVENTS[m[1] as PerfEventTarget["type"]][m[2]] === undefined) return undefined;
  return { type: m[1] as PerfEventTarget["type"], config: m[2], rate: m[3] as PerfEventTarget["rate"], value: Number(m[4]) };
}
