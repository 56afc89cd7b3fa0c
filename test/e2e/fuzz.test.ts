// The mutation fuzzer, in every run (test/fuzz/README.md; docs/decisions.md D50): token-level
// mutants of the examples and fixtures, a fresh seed each run, each mutant compiled as `tsbpf
// build` compiles it. Every mutant must build, or fail with a TsbpfError located in its file;
// an internal error, a native crash, a hang or an unlocated error fails the test and is kept in
// test/fuzz/corpus, whose every case is replayed here in every run.
//   TSBPF_FUZZ_SEED (default: fresh), TSBPF_FUZZ_COUNT (default 300).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { packageRoot } from "../../contract/paths.js";
import { byClass, compileTwice, describeMutant, freshSeed, lateFailures, mutantFile, NOT_ALONE, runCampaign, SETTLE_MS } from "../fuzz/campaign.js";
import { buildThroughCli, CLI_CLASS } from "../fuzz/cli-check.js";
import { CompileWorker } from "../fuzz/compile-worker.js";
import { readCases, saveCase } from "../fuzz/corpus.js";
import { mutantAt, type MutationInput } from "../fuzz/mutate.js";
import { seedFiles, tokenPool } from "../fuzz/seeds.js";
import type { Failure } from "../fuzz/verdict.js";

const SEED = Number(process.env.TSBPF_FUZZ_SEED ?? freshSeed());
const COUNT = Number(process.env.TSBPF_FUZZ_COUNT ?? 300);
const CLI_SAMPLE = 10;
const REPRODUCE = `TSBPF_FUZZ_SEED=${SEED} TSBPF_FUZZ_COUNT=${COUNT} npx jest dist/test/e2e/fuzz.test.js`;
const cases = readCases();

let dir: string;
let worker: CompileWorker;
let input: MutationInput;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsbpf-fuzz-"));
  worker = new CompileWorker();
  const files = seedFiles();
  input = { files, pool: tokenPool(files) };
});

afterAll(() => {
  worker.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Long enough to read, short enough that a few classes fit on a screen; each line behind a bar,
 * or jest would take the first line of a stack in it for the start of the test's own stack.
 */
function excerpt(text: string, max = 1500): string {
  const cut = text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
  return cut.replace(/^/gm, "    | ");
}

function describeFailure(f: Failure): string {
  return `${f.cls}\n${excerpt(f.detail)}`;
}

test(`every kept fuzz case (${cases.length} in test/fuzz/corpus) builds or gives a located error`, async () => {
  const failing: string[] = [];
  const text = (file: string) => readFileSync(file, "utf8");
  const fail = (file: string, f: Failure) => failing.push(`${relative(packageRoot, file)} (kept for: ${cases.find((c) => c.path === file)?.cls})\n  now: ${describeFailure(f)}`);
  for (const c of cases) {
    // A case the CLI failed on goes through the CLI again; the others are compiled in process.
    const f = c.cls.startsWith(CLI_CLASS) ? await buildThroughCli(c.path, c.parts, dir) : (await compileTwice(worker, c.path, text(c.path), { parts: c.parts, settleMs: SETTLE_MS })).failure;
    if (f) fail(c.path, f);
    for (const late of lateFailures(worker, text)) fail(late.file, late.failure);
  }
  if (failing.length) throw new Error(`${failing.length} of ${cases.length} kept fuzz cases still fail:\n\n${failing.join("\n\n")}`);
}, 60_000 + cases.length * 25_000);

test(`${COUNT} mutants (seed ${SEED}) build or give a located error`, async () => {
  console.log(`fuzz: seed ${SEED}, ${COUNT} mutants; to reproduce: ${REPRODUCE}`);
  const result = await runCampaign({ seed: SEED, count: COUNT, dir, worker, input });
  console.log(`fuzz: seed ${SEED}: ${COUNT} mutants in ${(result.ms / 1000).toFixed(1)} s: ${JSON.stringify(result.outcomes)}`);
  const known = new Map(cases.map((c) => [c.cls, c.path]));
  const report = byClass(result.findings).map(({ first, count }) => {
    const cls = first.failure.cls;
    const kept = cls === NOT_ALONE ? undefined : (known.get(cls) ?? saveCase({ origin: describeMutant(first.mutant), cls, text: first.mutant.text, parts: first.mutant.parts }));
    const where = kept ? `kept as ${relative(packageRoot, kept)}` : "not kept: it does not fail on its own";
    return `[${count}×] ${describeFailure(first.failure)}\n  ${describeMutant(first.mutant)}\n  ${where}\n  the mutant:\n${excerpt(first.mutant.text)}`;
  });
  if (report.length) throw new Error(`seed ${SEED}: ${result.findings.length} of ${COUNT} mutants failed, ${report.length} classes (to reproduce: ${REPRODUCE}):\n\n${report.join("\n\n")}`);
  // The mutants reach the whole compiler: about 10 % build, most are refused at a located error.
  if (COUNT >= 100) expect(result.outcomes.clean).toBeGreaterThan(0);
  expect(result.outcomes.user).toBeGreaterThan(COUNT / 2);
}, 120_000 + COUNT * 1_000);

test(`${CLI_SAMPLE} mutants (seed ${SEED}) through tsbpf build: exit 0, or 1 with file:line:col first and no stack`, async () => {
  const failing: string[] = [];
  for (let i = COUNT; i < COUNT + CLI_SAMPLE; i++) {
    const mutant = mutantAt(SEED, i, input);
    const file = mutantFile(dir, mutant);
    writeFileSync(file, mutant.text, { flag: "wx" });
    const f = await buildThroughCli(file, mutant.parts, dir);
    if (!f) continue;
    const origin = describeMutant(mutant);
    const kept = saveCase({ origin, cls: f.cls, text: mutant.text, parts: mutant.parts });
    failing.push(`${describeFailure(f)}\n  ${origin}\n  kept as ${relative(packageRoot, kept)}`);
  }
  if (failing.length) throw new Error(`${failing.length} of ${CLI_SAMPLE} mutants through the CLI (to reproduce: ${REPRODUCE}):\n\n${failing.join("\n\n")}`);
}, 60_000 + CLI_SAMPLE * 30_000);
