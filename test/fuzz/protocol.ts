// What the fuzzer's compile worker (worker.ts) and its driver (compile-worker.ts) say to each
// other, one JSON object a line on the worker's fd 3 (its stdout and stderr stay free for what
// the compiler or LLVM print). The worker says `start` before it compiles a file, so that a
// death by signal or a hang is blamed on the right one.

import type { SourceSpan } from "../../contract/errors.js";

export const PROTOCOL_FD = 3;

export interface Job {
  id: number;
  file: string;
  parts?: number;
  /** Compiles in a row, each started as soon as the one before ends (2: see campaign.ts compileTwice). */
  times: number;
  /**
   * Milliseconds to wait before the last outcome is sent: LLVM work that a failed compile
   * left on a thread may crash the process after the compile has ended.
   */
  settleMs?: number;
}

/** One error of a TsbpfError: itself and each related one. */
export interface UserError {
  message: string;
  at?: SourceSpan;
  subject?: string;
}

export type Outcome =
  | { kind: "clean" }
  | { kind: "user"; errors: UserError[]; formatted: string }
  | { kind: "internal"; name: string; message: string; stack: string }
  /** The worker died while compiling it: by a signal (LLVM aborts), or exited on its own. */
  | { kind: "died"; signal: string | null; code: number | null; output: string }
  | { kind: "hang"; ms: number };

/** `start` once per job, then one `done` per compile. */
export type Message = { type: "start"; id: number } | { type: "done"; id: number; outcome: Outcome };
