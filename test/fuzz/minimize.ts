// Makes a failing mutant smaller while it fails the same way (same class): whole lines first,
// then tokens, each in chunks that halve down to one (delta debugging, greedily). Cheap enough
// for files of a few dozen lines; what it cannot shrink (a nesting depth, say) is for a person.

import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CompileWorker } from "./compile-worker.js";
import { joinPieces, tokenize } from "./tokens.js";
import { compileTwice, SETTLE_MS } from "./campaign.js";

export interface MinimizeOptions {
  worker: CompileWorker;
  /** Candidates are written to a directory of their own made in this one. */
  dir: string;
  parts?: number;
  budgetMs: number;
}

export async function minimizeMutant(text: string, cls: string, opts: MinimizeOptions): Promise<string> {
  const deadline = performance.now() + opts.budgetMs;
  const dir = mkdtempSync(join(opts.dir, "minimize-"));
  // A death may come after the compile (from LLVM work left running): wait for it.
  const settleMs = cls.startsWith("died") ? SETTLE_MS : 0;
  let tries = 0;
  const fails = async (candidate: string): Promise<boolean> => {
    const file = join(dir, `candidate-${tries++}.ts`);
    writeFileSync(file, candidate, { flag: "wx" });
    return (await compileTwice(opts.worker, file, candidate, { parts: opts.parts, settleMs })).failure?.cls === cls;
  };
  const shrink = async <T>(units: T[], render: (u: T[]) => string): Promise<T[]> => {
    for (let size = Math.max(1, units.length >> 1); size >= 1 && performance.now() < deadline; size = size === 1 ? 0 : size >> 1) {
      for (let start = 0; start < units.length && performance.now() < deadline; ) {
        const candidate = [...units.slice(0, start), ...units.slice(start + size)];
        if (candidate.length < units.length && (await fails(render(candidate)))) units = candidate;
        else start += size;
      }
    }
    return units;
  };
  const lines = await shrink(text.split("\n"), (u) => u.join("\n"));
  const pieces = tokenize(lines.join("\n"));
  // Tokens only: the whitespace and newlines around them stay, so tokens never fuse.
  const render = (ids: number[]): string => {
    const keep = new Set(ids);
    return joinPieces(pieces.map((p, i) => (p.trivia || keep.has(i) ? p : { ...p, text: " " })));
  };
  return render(await shrink(pieces.flatMap((p, i) => (p.trivia ? [] : [i])), render));
}
