// What the CLI's process and the compiler's process (one started from the compiler's start-up
// snapshot, D156) say to each other: one request on the compiler's stdin, one answer on its
// stdout. The answer is what a build in the CLI's own process would have returned or thrown, but
// for LLVM's part (D200): the compile result without its object and the module's LLVM IR, for the
// CLI's process to compile; or the user's error whole (related errors, spans, hints); or a tsbpf bug.

import { TsbpfError } from "../../contract/errors.js";
import type { CompileOptions, LoweredBuild, LoweringTarget } from "../compile-options.js";

/** The build a compiler process is asked for: the file, the text it was keyed by, the options that shape the object, the LLVM it is for. */
export interface CompileRequest {
  file: string;
  source: string;
  options: Pick<CompileOptions, "cpu" | "parts" | "emitLLVM" | "tuneV8">;
  target: LoweringTarget;
}

export type CompileAnswer = { lowered: LoweredBuild } | { error: TsbpfError } | { bug: string };

const MAGIC = "tsbpf compile answer 2\n";

type ErrorData = { message: string; options: Omit<TsbpfError["options"], "related"> & { related?: ErrorData[] } };

const errorData = (e: TsbpfError): ErrorData => ({ message: e.message, options: { ...e.options, related: e.options.related?.map(errorData) } });
const errorFrom = (d: ErrorData): TsbpfError => new TsbpfError(d.message, { ...d.options, related: d.options.related?.map(errorFrom) });

/** The answer's bytes: MAGIC, the length of what follows (u32 LE), then the answer as JSON. */
export function encodeAnswer(answer: CompileAnswer): Buffer {
  const json = Buffer.from(JSON.stringify("error" in answer ? { error: errorData(answer.error) } : answer));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([Buffer.from(MAGIC), length, json]);
}

/** The answer in `bytes`, or undefined if they are not one whole (the compiler process died, or is not one). */
export function decodeAnswer(bytes: Buffer): CompileAnswer | undefined {
  if (bytes.length < MAGIC.length + 4 || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) return undefined;
  const start = MAGIC.length + 4;
  // A compiler that died while writing leaves a short answer: the length says so.
  if (start + bytes.readUInt32LE(MAGIC.length) !== bytes.length) return undefined;
  let answer: { lowered?: LoweredBuild; error?: ErrorData; bug?: unknown };
  try {
    answer = JSON.parse(bytes.toString("utf8", start));
  } catch {
    return undefined;
  }
  const lowered = answer?.lowered;
  if (lowered && typeof lowered.result === "object" && Array.isArray(lowered.irParts) && lowered.irParts.every((ir) => typeof ir === "string")) return { lowered };
  if (answer?.error && typeof answer.error.message === "string") return { error: errorFrom(answer.error) };
  if (typeof answer?.bug === "string") return { bug: answer.bug };
  return undefined;
}
