// The fuzzer from the command line, for long runs and for filling the corpus:
//   node dist/test/fuzz/main.js [--seed N] [--count N] [--save K] [--minimize SECONDS]
// prints each failure class with its count and first mutant; --save keeps up to K mutants of
// each class in test/fuzz/corpus (shrunk for up to SECONDS each with --minimize).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byClass, describeMutant, freshSeed, NOT_ALONE, runCampaign } from "./campaign.js";
import { CompileWorker } from "./compile-worker.js";
import { saveCase } from "./corpus.js";
import { minimizeMutant } from "./minimize.js";
import { seedFiles, tokenPool } from "./seeds.js";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const seed = Number(option("seed") ?? freshSeed());
  const count = Number(option("count") ?? 300);
  const save = Number(option("save") ?? 0);
  const minimizeSeconds = Number(option("minimize") ?? 0);
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-fuzz-"));
  const worker = new CompileWorker();
  try {
    const files = seedFiles();
    const result = await runCampaign({
      seed,
      count,
      dir,
      worker,
      input: { files, pool: tokenPool(files) },
      progress: (done, found) => done % 100 === 0 && console.error(`${done}/${count} mutants, ${found} failing`),
    });
    console.log(`seed ${seed}: ${count} mutants in ${(result.ms / 1000).toFixed(1)} s; ${JSON.stringify(result.outcomes)}; ${worker.started} workers`);
    for (const { first, count: n } of byClass(result.findings)) console.log(`\n[${n}×] ${first.failure.cls}\n  ${describeMutant(first.mutant)}`);
    if (!save) return;
    const kept = new Map<string, number>();
    for (const f of result.findings) {
      const cls = f.failure.cls;
      if (cls === NOT_ALONE || (kept.get(cls) ?? 0) >= save) continue;
      kept.set(cls, (kept.get(cls) ?? 0) + 1);
      const text = minimizeSeconds ? await minimizeMutant(f.mutant.text, cls, { worker, dir, parts: f.mutant.parts, budgetMs: minimizeSeconds * 1000 }) : f.mutant.text;
      const path = saveCase({ origin: describeMutant(f.mutant), cls, text, parts: f.mutant.parts });
      console.log(`kept ${path} (${text.length} of ${f.mutant.text.length} characters)`);
    }
  } finally {
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
