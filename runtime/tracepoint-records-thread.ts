// Every tracepoint's record (tracepoints.d.ts) made on a thread of its own, while `tsbpf types`
// makes the BTF's declarations on the main one (D137): reading 2,300 tracefs format files is
// 80–90 ms of the kernel's time, and with parsing them a fifth of the command. The thread
// reports what it made, or that it failed: then the main thread makes them itself, and so
// reports any error as it always has.

import { Worker, parentPort, workerData } from "node:worker_threads";
import type { allTracepointDeclarations as AllTracepointDeclarations } from "../compiler/btf/kernel-types.js";

type Records = ReturnType<typeof AllTracepointDeclarations>;

/** What this file's thread is started with: this module loaded in another thread (a test runner's) does nothing. */
const ROLE = "tsbpf: tracepoint records";

const load = () => require("../compiler/btf/kernel-types.js") as typeof import("../compiler/btf/kernel-types.js");

/** Starts making the records; await the result when they are needed. */
export function tracepointRecordsSoon(): () => Promise<Records> {
  const made = new Promise<{ records: Records } | undefined>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(__filename, { workerData: ROLE });
    } catch {
      return resolve(undefined); // no thread: made on this one
    }
    worker.once("message", (m: { records: Records } | undefined) => resolve(m));
    worker.once("error", () => resolve(undefined));
    worker.once("exit", () => resolve(undefined));
  });
  return async () => {
    const answer = await made;
    return answer ? answer.records : load().allTracepointDeclarations();
  };
}

if (workerData === ROLE && parentPort) {
  let answer: { records: Records } | undefined;
  try {
    answer = { records: load().allTracepointDeclarations() };
  } catch {
    answer = undefined; // the main thread makes them again, and reports the error
  }
  parentPort.postMessage(answer);
}
