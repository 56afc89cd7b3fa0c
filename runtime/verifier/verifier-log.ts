// Reads the kernel verifier's log (log level 1: the path that failed, instruction by
// instruction). The compiler puts the probe's source into the BTF line info, so the log quotes
// it as `; <source line> @ file.ts:7` before the instructions of that line.

import { basename } from "node:path";

export interface VerifierStats {
  processedInsns: number;
  insnLimit?: number;
  totalStates?: number;
  peakStates?: number;
}

export interface VerifierLog {
  /** The verifier's own words for the failure. */
  message: string;
  /** TypeScript line of the failing instruction, when the log quotes one of the probe's lines. */
  line?: number;
  /** The failing instruction's index, when the log shows it. */
  insn?: number;
  stats?: VerifierStats;
  /** The last lines before the failure. */
  excerpt: string;
}

/** What the verifier prints after its words for the failure: statistics, and the states it compared. */
const TRAILER = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|-- END PROG LOAD LOG|(cur|old) state: )/;
const SOURCE_LINE = /^; (.*) @ (.+):(\d+)$/;
const INSTRUCTION = /^(\d+): \(([0-9a-f]{2})\)/;

export function parseVerifierLog(log: string, fileName: string): VerifierLog {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  let end = lines.length;
  while (end > 0 && TRAILER.test(lines[end - 1])) end--;
  const message = lines[end - 1] ?? "the program was rejected (no log)";
  let insn: number | undefined;
  for (let i = end - 1; i >= 0 && insn === undefined; i--) {
    const instruction = INSTRUCTION.exec(lines[i]);
    if (instruction) insn = Number(instruction[1]);
  }
  return { message, line: probeLineAt(lines, end - 1, fileName), insn, stats: verifierStats(log), excerpt: lines.slice(Math.max(0, end - 16), end).join("\n") };
}

/** The probe's line that the log line at `index` belongs to: the last one the log quotes before it. */
function probeLineAt(lines: readonly string[], index: number, fileName: string): number | undefined {
  const base = basename(fileName);
  for (let i = index; i >= 0; i--) {
    const source = SOURCE_LINE.exec(lines[i]);
    if (source && basename(source[2]) === base && source[3] !== "0") return Number(source[3]); // line 0: compiler-made code
  }
  return undefined;
}

/** The probe's line of the first log line that matches `pattern`. */
export function probeLineOf(log: string, fileName: string, pattern: RegExp): number | undefined {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  const index = lines.findIndex((l) => pattern.test(l));
  return index < 0 ? undefined : probeLineAt(lines, index, fileName);
}

/** `processed 1000001 insns (limit 1000000) max_states_per_insn 4 total_states 26 peak_states 26 mark_read 2` */
function verifierStats(log: string): VerifierStats | undefined {
  const m = /processed (\d+) insns \(limit (\d+)\)(?: max_states_per_insn \d+ total_states (\d+) peak_states (\d+))?/.exec(log);
  if (!m) {
    const tooLarge = /BPF program is too large\. Processed (\d+) insn/.exec(log);
    return tooLarge ? { processedInsns: Number(tooLarge[1]) } : undefined;
  }
  return {
    processedInsns: Number(m[1]),
    insnLimit: Number(m[2]),
    totalStates: m[3] !== undefined ? Number(m[3]) : undefined,
    peakStates: m[4] !== undefined ? Number(m[4]) : undefined,
  };
}

/**
 * The whole log for --verbose, each instruction beside the probe's line it came from:
 *
 *     loop.ts:5   |   14: (77) r3 >>= 1       ; R3=scalar(…)
 *
 * and the quoted source lines as headings (`loop.ts:5 ▸ if ((x & 1) == 1) …`).
 */
export function interleavedLog(log: string): string {
  let where = "";
  const rows: [string, string][] = [];
  for (const text of log.split("\n")) {
    const source = SOURCE_LINE.exec(text);
    if (source) {
      where = `${basename(source[2])}:${source[3]}`;
      rows.push([where, `▸ ${source[1].trim()}`]);
    } else if (INSTRUCTION.test(text)) rows.push([where, `  ${text}`]);
    else if (text.trim() !== "") rows.push(["", text]);
  }
  const width = Math.max(0, ...rows.map(([w]) => w.length));
  return rows.map(([w, text]) => (w || text.startsWith("  ") ? `${w.padEnd(width)} | ${text}` : text)).join("\n");
}
