// The fuzzer's compile worker: a long-lived node process that compiles one mutant after another
// in process, as `tsbpf build` does (compileAsync, no cache), and reports each outcome. One
// process for all of them: starting node and loading TypeScript and libLLVM per mutant would
// cost more than most compiles. Started by compile-worker.ts; the protocol is in protocol.ts.

import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { compileAsync, TsbpfError } from "../../compiler/compile.js";
import { PROTOCOL_FD, type Job, type Message, type Outcome } from "./protocol.js";

// Synchronous: a `start` must be out before LLVM can abort the process.
const send = (m: Message) => writeSync(PROTOCOL_FD, JSON.stringify(m) + "\n");

let current: number | undefined;

function internal(e: unknown, where = ""): Outcome {
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: "internal", name: err.name + where, message: err.message, stack: err.stack ?? "" };
}

function userOutcome(e: TsbpfError): Outcome {
  const all = [e, ...(e.options.related ?? [])];
  return { kind: "user", errors: all.map((x) => ({ message: x.message, at: x.options.at, subject: x.options.subject })), formatted: e.format() };
}

async function compileOne(job: Job): Promise<Outcome> {
  try {
    await compileAsync(job.file, { cache: false, parts: job.parts });
    return { kind: "clean" };
  } catch (e) {
    return e instanceof TsbpfError ? userOutcome(e) : internal(e);
  }
}

// An exception nothing awaited (an abandoned LLVM part, a timer) is a bug too; the process
// may be in any state after it, so it ends and the driver starts another.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (e: unknown) => {
    if (current !== undefined) send({ type: "done", id: current, outcome: internal(e, ` (${event})`) });
    process.exit(1);
  });
}

createInterface({ input: process.stdin }).on("line", async (line) => {
  const job = JSON.parse(line) as Job;
  current = job.id;
  send({ type: "start", id: job.id });
  for (let i = 0; i < job.times; i++) {
    const outcome = await compileOne(job);
    if (i === job.times - 1 && job.settleMs) await new Promise((r) => setTimeout(r, job.settleMs));
    send({ type: "done", id: job.id, outcome });
  }
});
