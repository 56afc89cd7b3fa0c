// Differential test of the language's semantics: a seeded generator writes random well-typed
// functions (mixed widths and signedness, branches, loops, struct fields, calls); each is compiled by tsbpf,
// run in the kernel, and compared with a JavaScript BigInt reference evaluator. A mismatch is
// shrunk to the smallest program that still shows it.
//   TSBPF_DIFF_FUNCTIONS (default 1000) functions, TSBPF_DIFF_SEED (default: fixed) to vary.
import { describeMismatch, generateProgram, minimizeProgram, renameProgram, type Func, type Program } from "../differential/index.js";
import { cleanUp, probeSource, runBatch, type Failure } from "../helpers/differential-kernel.js";

const FUNCTIONS = Number(process.env.TSBPF_DIFF_FUNCTIONS ?? 1000);
const SEED = Number(process.env.TSBPF_DIFF_SEED ?? 20261126);
const ARG_SETS = 3;
/** At most this share of generated functions may be set aside as too complex for the verifier. */
const MAX_TOO_COMPLEX = 0.05;
const PROGRAMS_PER_FILE = 12;

afterAll(cleanUp);

function report(f: Failure, minimal: Program): string {
  const source = probeSource([minimal], minimal.functions.filter((x) => x.name === f.fn));
  if (f.error) return `tsbpf could not compile or load a valid program:\n${f.error}\n--- smallest program ---\n${source}`;
  return `${describeMismatch({ program: minimal, fn: f.fn, args: f.args, expected: f.expected!, actual: f.actual! })}\n--- as a probe ---\n${source}`;
}

test(`${FUNCTIONS} generated functions agree with the reference evaluator`, async () => {
  let tested = 0;
  let batch = 0;
  const tooComplex: string[] = [];
  while (tested < FUNCTIONS) {
    const programs: Program[] = [];
    const fns: { program: Program; fn: Func }[] = [];
    for (let i = 0; i < PROGRAMS_PER_FILE && tested + fns.length < FUNCTIONS; i++) {
      const seed = SEED + batch * PROGRAMS_PER_FILE + i;
      const p = renameProgram(generateProgram(seed), `s${seed}_`);
      programs.push(p);
      for (const fn of p.functions) fns.push({ program: p, fn });
    }
    const result = await runBatch(programs, fns, ARG_SETS, SEED + batch);
    const failure = result.failure;
    tooComplex.push(...result.tooComplex);
    if (failure) {
      // Shrink: the smallest variant of the failing program that still fails the same way.
      const stillFails = async (candidate: Program): Promise<boolean> => {
        const fn = candidate.functions.find((x) => x.name === failure.fn);
        if (!fn) return false;
        const again = (await runBatch([candidate], [{ program: candidate, fn }], 1, 0, [failure.args])).failure;
        return !!again && !!again.error === !!failure.error;
      };
      const minimal = await minimizeProgram(failure.program, stillFails, 400);
      throw new Error(report(failure, minimal));
    }
    tested += fns.length - result.tooComplex.length;
    batch++;
  }
  console.log(`differential: ${tested} functions agree with the reference (seed ${SEED}); ${tooComplex.length} set aside as too complex for the verifier`);
  expect(tested).toBeGreaterThanOrEqual(FUNCTIONS);
  expect(tooComplex.length).toBeLessThanOrEqual(Math.ceil(FUNCTIONS * MAX_TOO_COMPLEX));
}, 600_000);
