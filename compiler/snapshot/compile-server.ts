// The compiler's process: what the start-up snapshot holds (snapshot-entry.ts builds it) and
// what runs when a process starts from it. The snapshot is taken with TypeScript loaded, tsbpf's
// declarations parsed and bound, and the examples run through TypeScript and lowering (what they
// make on first use is in the heap; the code V8 compiled is not: Node makes the snapshot without
// it, so the process compiles what its build calls, D200): a process started from it builds a
// probe without loading any of that (D156). It builds one probe, the one its stdin asks for, up
// to LLVM, and writes the answer to its stdout: the IR goes first, for the CLI's process (which
// has loaded libLLVM meanwhile) to compile while this one checks the file's types.

import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as TS from "typescript";
import { TsbpfError } from "../../contract/errors.js";
import { packageRoot } from "../../contract/paths.js";
import { forgetCacheDir } from "../cache-dir.js";
import { lowerForCodegen } from "../compile.js";
import { loadCheckedSource } from "../frontend/checked-source.js";
import { buildModuleModel } from "../frontend/module-model.js";
import { adoptTypeScript } from "../frontend/typescript-loader.js";
import { lowerModule } from "../lower/module-lowerer.js";
import { writeAll } from "../trusted-files.js";
import { tuneV8ForCompilerProcess } from "../v8-tuning.js";
import { encodeFrame, type AnswerFrame, type CompileRequest, type FinalFrame } from "./compile-protocol.js";

/**
 * In the snapshot's builder: TypeScript is `ts`, and the examples go through TypeScript, the
 * frontend and lowering (not LLVM, whose library cannot be in a snapshot), against tsbpf's
 * declarations only (the kernel's differ between machines: they are made for each build).
 */
export function warmUp(ts: typeof TS): void {
  adoptTypeScript(ts);
  const examples = join(packageRoot, "examples");
  for (const name of readdirSync(examples).filter((f) => f.endsWith(".ts"))) {
    try {
      const p = loadCheckedSource(join(examples, name), { kernel: undefined });
      lowerModule(p, buildModuleModel(p), { opaquePointers: true });
    } catch {
      // an example that reads the kernel's types stops at them here: what ran before is compiled
    }
  }
}

/** In a process started from the snapshot: one build, asked for on stdin, answered on stdout. */
export async function serve(): Promise<void> {
  forgetCacheDir();
  const request = JSON.parse(readFileSync(0, "utf8")) as CompileRequest;
  tuneV8ForCompilerProcess(request.source.length);
  let first = true;
  const send = (frame: AnswerFrame) => {
    writeAll(1, encodeFrame(frame, first));
    first = false;
  };
  let final: FinalFrame;
  try {
    const timings = lowerForCodegen(request.file, request.source, { ...request.options, cache: false }, request.target, {
      part: (ir, of) => send({ part: { ir, of } }),
      lowered: (result) => send({ lowered: result }),
    });
    final = { checked: { timings } };
  } catch (e) {
    final = e instanceof TsbpfError ? { error: e } : { bug: String((e as Error)?.stack ?? e) };
  }
  send(final);
  // The answer is whole: the CLI goes on while this process tears its heap down and exits.
  // (/dev/null takes the numbers over: nothing opened later may become "stdout".)
  for (const fd of [1, 2]) {
    closeSync(fd);
    openSync("/dev/null", "w");
  }
}
