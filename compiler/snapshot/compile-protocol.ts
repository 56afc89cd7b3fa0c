// What the CLI's process and the compiler's process (one started from the compiler's start-up
// snapshot, D156) say to each other: one request on the compiler's stdin, one answer on its
// stdout. The answer is what a build in the CLI's own process would have returned or thrown: the
// compile result, or the user's error whole (related errors, spans, hints), or a tsbpf bug.

import { TsbpfError } from "../../contract/errors.js";
import type { CompileOptions, CompileResult } from "../compile-options.js";

/** The build a compiler process is asked for: the file, the text it was keyed by, the options that shape the object. */
export interface CompileRequest {
  file: string;
  source: string;
  options: Pick<CompileOptions, "cpu" | "parts" | "emitLLVM" | "tuneV8">;
}

export type CompileAnswer = { result: CompileResult } | { error: TsbpfError } | { bug: string };

const MAGIC = "tsbpf compile answer 1\n";

type ErrorData = { message: string; options: Omit<TsbpfError["options"], "related"> & { related?: ErrorData[] } };

const errorData = (e: TsbpfError): ErrorData => ({ message: e.message, options: { ...e.options, related: e.options.related?.map(errorData) } });
const errorFrom = (d: ErrorData): TsbpfError => new TsbpfError(d.message, { ...d.options, related: d.options.related?.map(errorFrom) });

/** The answer's bytes: MAGIC, the header's length (u32 LE), the header (JSON, with the object's length), then the object. */
export function encodeAnswer(answer: CompileAnswer): Buffer {
  let header: unknown;
  let object: Uint8Array = new Uint8Array(0);
  if ("result" in answer) {
    const { object: bytes, ...rest } = answer.result;
    header = { result: rest, objectLength: bytes.length };
    object = bytes;
  } else header = "error" in answer ? { error: errorData(answer.error) } : answer;
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([Buffer.from(MAGIC), length, json, object]);
}

/** The answer in `bytes`, or undefined if they are not one whole (the compiler process died, or is not one). */
export function decodeAnswer(bytes: Buffer): CompileAnswer | undefined {
  if (bytes.length < MAGIC.length + 4 || bytes.toString("latin1", 0, MAGIC.length) !== MAGIC) return undefined;
  const start = MAGIC.length + 4;
  const end = start + bytes.readUInt32LE(MAGIC.length);
  if (end > bytes.length) return undefined;
  let header: { result?: Omit<CompileResult, "object">; objectLength?: unknown; error?: ErrorData; bug?: unknown };
  try {
    header = JSON.parse(bytes.toString("utf8", start, end));
  } catch {
    return undefined;
  }
  // A compiler that died while writing leaves a short object: the length says so.
  if (header?.result && typeof header.result === "object") return header.objectLength === bytes.length - end ? { result: { ...header.result, object: Buffer.from(bytes.subarray(end)) } } : undefined;
  if (end !== bytes.length) return undefined;
  if (header?.error && typeof header.error.message === "string") return { error: errorFrom(header.error) };
  if (typeof header?.bug === "string") return { bug: header.bug };
  return undefined;
}
