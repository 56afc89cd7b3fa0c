// One fuzzing run: mutants `0 … count-1` of a seed, each written to a private directory,
// compiled (twice) by the worker and judged. The jest test and the command line (main.ts) both
// run this.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CompileWorker } from "./compile-worker.js";
import { mutantAt, type Mutant, type MutationInput } from "./mutate.js";
import type { Outcome } from "./protocol.js";
import { judge, type Failure } from "./verdict.js";

export interface Finding {
  mutant: Mutant;
  file: string;
  failure: Failure;
}

export interface CampaignResult {
  findings: Finding[];
  /** How many mutants ended each way (the first compile): clean, user (a located error), internal, died, hang. */
  outcomes: Record<Outcome["kind"], number>;
  ms: number;
}

/** A seed for a run of its own: the time, and the process for two runs in the same millisecond. */
export function freshSeed(): number {
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** Where a mutant came from and how it was made, e.g. for a kept case's header. */
export function describeMutant(m: Mutant): string {
  return `seed ${m.seed}, mutant ${m.index} of ${m.base}${m.parts ? ` (-j ${m.parts})` : ""}: ${m.steps.join("; ")}`;
}

export function mutantFile(dir: string, m: Mutant): string {
  return join(dir, `mutant-${m.index}.ts`);
}

/**
 * Compiles a file twice in a row in one worker and judges both: the second compile, started as
 * soon as the first ends, shows what the first leaves behind in the process (LLVM work on
 * threads still running after an error), so that such a failure is pinned on the file that
 * causes it, not on whichever comes next.
 */
export async function compileTwice(worker: CompileWorker, file: string, text: string, opts: { parts?: number; settleMs?: number } = {}): Promise<{ outcome: Outcome; failure?: Failure }> {
  const [outcome, second] = await worker.compile(file, { ...opts, times: 2 });
  const failure = judge(outcome, file, text);
  if (failure) return { outcome, failure };
  const again = second && judge(second, file, text);
  if (!again) return { outcome };
  // A death after the first compile ended comes from what it left running: one class, whatever
  // LLVM said as it died.
  const cls = again.cls.startsWith("died") ? "died on the second compile in one process" : again.cls;
  return { outcome, failure: { cls, detail: `when compiled a second time in the same process:\n${again.detail}` } };
}

/**
 * How long a file's LLVM work may still run after its compile failed (a crash then is its own):
 * waited for where a file is checked alone, not for each mutant (300 of them would take 150 s).
 */
export const SETTLE_MS = 500;

/** What surfaced after a file's own outcome (an exception nothing awaited, a death between files). */
export function lateFailures(worker: CompileWorker, textOf: (file: string) => string | undefined): { file: string; failure: Failure }[] {
  return worker.late.splice(0).flatMap(({ job, outcome }) => {
    const text = textOf(job.file);
    const f = text === undefined ? undefined : judge(outcome, job.file, text);
    return f ? [{ file: job.file, failure: { ...f, cls: f.cls.startsWith("died") ? "died between files" : `late ${f.cls}` } }] : [];
  });
}

/** Whether a file makes a worker of its own die (two tries: a race may need more than one). */
async function diesAlone(m: Mutant, file: string): Promise<boolean> {
  const fresh = new CompileWorker();
  try {
    for (let i = 0; i < 2; i++) if ((await compileTwice(fresh, file, m.text, { parts: m.parts, settleMs: SETTLE_MS })).failure?.cls.startsWith("died")) return true;
    return false;
  } finally {
    fresh.close();
  }
}

export async function runCampaign(opts: { seed: number; count: number; dir: string; worker: CompileWorker; input: MutationInput; progress?: (done: number, found: number) => void }): Promise<CampaignResult> {
  const t0 = performance.now();
  const { seed, count, dir, worker, input } = opts;
  const findings: Finding[] = [];
  const outcomes: CampaignResult["outcomes"] = { clean: 0, user: 0, internal: 0, died: 0, hang: 0 };
  const byFile = new Map<string, Mutant>();
  let previous: { mutant: Mutant; file: string } | undefined;
  for (let index = 0; index < count; index++) {
    const mutant = mutantAt(seed, index, input);
    const file = mutantFile(dir, mutant);
    writeFileSync(file, mutant.text, { flag: "wx" });
    byFile.set(file, mutant);
    const { outcome, failure } = await compileTwice(worker, file, mutant.text, { parts: mutant.parts });
    outcomes[outcome.kind]++;
    if (failure) findings.push(await blame({ mutant, file, failure }, previous));
    for (const { file: lateFile, failure: f } of lateFailures(worker, (f) => byFile.get(f)?.text)) findings.push({ mutant: byFile.get(lateFile)!, file: lateFile, failure: f });
    previous = { mutant, file };
    opts.progress?.(index + 1, findings.length);
  }
  return { findings, outcomes, ms: performance.now() - t0 };
}

/** The class of a death no single file causes on its own: none is kept for it. */
export const NOT_ALONE = "died only after other files";

/**
 * A death may come from what the file before left running in the worker: it is blamed on this
 * file if it dies again alone, else on the one before if that one does, else on neither: one
 * class for all of those, whose kept case is not a reproducer on its own.
 */
async function blame(f: Finding, previous: { mutant: Mutant; file: string } | undefined): Promise<Finding> {
  if (!f.failure.cls.startsWith("died") || (await diesAlone(f.mutant, f.file))) return f;
  if (previous && (await diesAlone(previous.mutant, previous.file))) return { ...previous, failure: { ...f.failure, detail: `the file after it died:\n${f.failure.detail}` } };
  return { ...f, failure: { cls: NOT_ALONE, detail: f.failure.detail } };
}

/** The first finding of each class, in the order found, with how many mutants showed it. */
export function byClass(findings: readonly Finding[]): { first: Finding; count: number }[] {
  const classes = new Map<string, { first: Finding; count: number }>();
  for (const f of findings) {
    const c = classes.get(f.failure.cls);
    if (c) c.count++;
    else classes.set(f.failure.cls, { first: f, count: 1 });
  }
  return [...classes.values()];
}
