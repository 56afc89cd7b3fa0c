// Drives worker.ts: sends one file at a time and waits for its outcome, its death or its
// timeout. A worker that dies (a signal from an LLVM abort, an exit) or hangs is blamed for the
// file it said it started, killed if need be, and replaced by a fresh one for the next file.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createInterface } from "node:readline";
import { PROTOCOL_FD, type Job, type Message, type Outcome } from "./protocol.js";

const WORKER = join(__dirname, "worker.js");
/** What the worker printed last (LLVM's fatal error, V8's out-of-memory report): the tail is enough. */
const OUTPUT_KEPT = 8_000;

interface Pending {
  job: Job;
  started: boolean;
  retried?: boolean;
  outcomes: Outcome[];
  resolve: (o: Outcome[]) => void;
}

export class CompileWorker {
  private child?: ChildProcess;
  private pending?: Pending;
  private output = "";
  private nextId = 1;
  /** What came after a file's own outcome: an exception nothing awaited, a death between files. */
  readonly late: { job: Job; outcome: Outcome }[] = [];
  private lastStarted?: Job;
  private readonly sent = new Map<number, Job>();
  /** How many workers were started: 1 + one per death or hang. */
  started = 0;

  constructor(private readonly timeoutMs = 20_000) {}

  /**
   * The outcome of each of `times` compiles of the file, one after the other in one process
   * (protocol.ts, Job); fewer if the worker died or hung, the last outcome then saying so.
   */
  async compile(file: string, opts: { parts?: number; times?: number; settleMs?: number } = {}): Promise<Outcome[]> {
    const times = opts.times ?? 1;
    const job: Job = { id: this.nextId++, file, parts: opts.parts, times, settleMs: opts.settleMs };
    const child = this.child ?? this.spawn();
    this.output = "";
    this.sent.set(job.id, job);
    const outcomes = new Promise<Outcome[]>((resolve) => (this.pending = { job, started: false, outcomes: [], resolve }));
    const limit = this.timeoutMs * times + (opts.settleMs ?? 0);
    const timer = setTimeout(() => this.settle({ kind: "hang", ms: limit }, true), limit);
    child.stdin!.write(JSON.stringify(job) + "\n");
    try {
      return await outcomes;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
  }

  private spawn(): ChildProcess {
    const child = spawn(process.execPath, [WORKER], { stdio: ["pipe", "pipe", "pipe", "pipe"] });
    this.started++;
    this.child = child;
    const keep = (d: Buffer) => (this.output = (this.output + d.toString()).slice(-OUTPUT_KEPT));
    // A worker that died between two files: writing to it fails, and "close" says what happened.
    child.stdin!.on("error", () => undefined);
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    createInterface({ input: child.stdio[PROTOCOL_FD] as Readable }).on("line", (line) => this.onMessage(JSON.parse(line) as Message));
    child.on("close", (code, signal) => {
      if (this.child !== child) return; // killed after a hang: already settled
      this.child = undefined;
      const died: Outcome = { kind: "died", signal, code, output: this.output };
      const p = this.pending;
      if (p?.started) return this.settle(died, false);
      // Died between two files: from what the last one left running. The next one is sent again.
      if (this.lastStarted) this.late.push({ job: this.lastStarted, outcome: died });
      if (p && !p.retried) {
        p.retried = true;
        this.spawn().stdin!.write(JSON.stringify(p.job) + "\n");
      } else if (p) this.settle(died, false);
    });
    return child;
  }

  private onMessage(m: Message): void {
    if (m.type === "start" && this.pending?.job.id === m.id) {
      this.pending.started = true;
      this.lastStarted = this.pending.job;
    }
    else if (m.type === "done" && this.pending?.job.id === m.id) {
      this.pending.outcomes.push(m.outcome);
      if (this.pending.outcomes.length === this.pending.job.times) this.settle(undefined, false);
    }
    else if (m.type === "done") this.late.push({ job: this.sent.get(m.id)!, outcome: m.outcome });
  }

  /** Ends the pending job, with a last outcome (a death, a hang) or with those it had. */
  private settle(last: Outcome | undefined, kill: boolean): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    if (kill) this.close();
    p.resolve(last ? [...p.outcomes, last] : p.outcomes);
  }
}
