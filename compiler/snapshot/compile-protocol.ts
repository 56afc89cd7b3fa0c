// What the CLI's process and the compiler's process (one started from the compiler's start-up
// snapshot, D156) say to each other: one request on the compiler's stdin, an answer on its
// stdout. The answer is what a build in the CLI's own process would have returned or thrown, but
// for LLVM's part (D200): each part of the module's LLVM IR as soon as it is lowered, for the
// CLI's process to compile while the compiler goes on, then the compile result without its
// object, then that the file's types checked (with the build's timings), or the user's error
// whole (related errors, spans, hints), or a tsbpf bug. An error found before the IR is the only frame.

import { TsbpfError } from "../../contract/errors.js";
import type { CompileOptions, CompileResult, LoweringTarget } from "../compile-options.js";

/** The build a compiler process is asked for: the file, the text it was keyed by, the options that shape the object, the LLVM it is for. */
export interface CompileRequest {
  file: string;
  source: string;
  options: Pick<CompileOptions, "cpu" | "parts" | "emitLLVM" | "tuneV8">;
  target: LoweringTarget;
}

/** The next part of the IR (of `of`), sent as soon as it is lowered. */
export type PartFrame = { part: { ir: string; of: number } };
/** The result but its object, sent once the module is lowered, before the file's types are checked. */
export type LoweredFrame = { lowered: Omit<CompileResult, "object"> };
/** How the build ended: checked (the IR stands; the build's timings, the check's among them), the user's error, or a bug. */
export type FinalFrame = { checked: { timings: Record<string, number> } } | { error: TsbpfError } | { bug: string };
export type AnswerFrame = PartFrame | LoweredFrame | FinalFrame;

const MAGIC = "tsbpf compile answer 3\n";

type ErrorData = { message: string; options: Omit<TsbpfError["options"], "related"> & { related?: ErrorData[] } };

const errorData = (e: TsbpfError): ErrorData => ({ message: e.message, options: { ...e.options, related: e.options.related?.map(errorData) } });
const errorFrom = (d: ErrorData): TsbpfError => new TsbpfError(d.message, { ...d.options, related: d.options.related?.map(errorFrom) });

/** A frame's bytes: its length (u32 LE), then the frame as JSON; the first of an answer is preceded by MAGIC. */
export function encodeFrame(frame: AnswerFrame, first: boolean): Buffer {
  const json = Buffer.from(JSON.stringify("error" in frame ? { error: errorData(frame.error) } : frame));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([...(first ? [Buffer.from(MAGIC)] : []), length, json]);
}

/**
 * The compiler's answer, read as it arrives (`read` each chunk of its stdout, `end` when it is
 * closed): each whole frame is handed to `onFrame` in order. The bytes are no answer (undefined
 * from `end`) where they do not start as one, a frame is not one, or they stop before the final
 * frame or go on after it: the compiler process died, or is not one.
 */
export class AnswerReader {
  /** What arrived and is not read yet, joined only once the next step has all it needs: a part of some MB comes in 64 kB chunks. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  private started = false;
  /** The length of the frame being received, once its length has come. */
  private frameLength: number | undefined;
  private final: FinalFrame | undefined;
  private broken = false;

  constructor(private readonly onFrame: (frame: AnswerFrame) => void = () => undefined) {}

  read(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      const needed = !this.started ? MAGIC.length : this.frameLength === undefined ? 4 : this.frameLength;
      if (this.buffered < needed) return;
      const bytes = this.take(needed);
      if (!this.started) {
        if (bytes.toString("latin1") !== MAGIC) return void (this.broken = true);
        this.started = true;
      } else if (this.frameLength === undefined) this.frameLength = bytes.readUInt32LE(0);
      else {
        this.frameLength = undefined;
        const frame = this.final ? undefined : frameFrom(bytes.toString("utf8"));
        if (!frame) return void (this.broken = true);
        if (!("part" in frame) && !("lowered" in frame)) this.final = frame;
        this.onFrame(frame);
      }
    }
  }

  /** The next `n` bytes (as many have arrived). */
  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return joined.subarray(0, n);
  }

  /** How the answer ended, if it was one whole. */
  end(): FinalFrame | undefined {
    return this.broken || this.buffered || this.frameLength !== undefined ? undefined : this.final;
  }
}

function frameFrom(json: string): AnswerFrame | undefined {
  let frame: { part?: { ir?: unknown; of?: unknown }; lowered?: Omit<CompileResult, "object">; checked?: { timings?: unknown }; error?: ErrorData; bug?: unknown };
  try {
    frame = JSON.parse(json);
  } catch {
    return undefined;
  }
  const part = frame?.part;
  if (part && typeof part.ir === "string" && Number.isSafeInteger(part.of) && (part.of as number) > 0) return { part: { ir: part.ir, of: part.of as number } };
  if (frame?.lowered && typeof frame.lowered === "object" && Array.isArray(frame.lowered.programs)) return { lowered: frame.lowered };
  if (frame?.checked && typeof frame.checked.timings === "object" && frame.checked.timings) return { checked: { timings: frame.checked.timings as Record<string, number> } };
  if (frame?.error && typeof frame.error.message === "string") return { error: errorFrom(frame.error) };
  if (typeof frame?.bug === "string") return { bug: frame.bug };
  return undefined;
}
