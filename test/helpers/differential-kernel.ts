// The kernel half of the differential tester: generated functions are compiled by tsbpf into
// XDP programs that call them on load-time params, loaded (verified), run with
// BPF_PROG_TEST_RUN, and their results compared with the JavaScript reference evaluator.
// A 64-bit result comes back as two 32-bit XDP return values (low and high halves).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileAsync, TsbpfError } from "../../compiler/compile.js";
import { LoadedObject, type CompiledObject } from "../../runtime/loader.js";
import { argSets, evaluate, printFunction, printTypes, type Func, type Program } from "../differential/index.js";
import { wrap, type IntType } from "../differential/reference-types.js";

export interface Failure {
  program: Program;
  fn: string;
  args: bigint[];
  expected?: bigint;
  actual?: bigint;
  error?: string;
  source: string;
}

const dir = mkdtempSync(join(tmpdir(), "tsbpf-diff-"));
let fileNo = 0;

export function cleanUp(): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The name of the load-time param that carries argument `j` of tested function `i`. */
const argParam = (i: number, j: number) => `A${i}_${j}`;

/**
 * The probe file: the functions, then two XDP programs per tested function, whose arguments
 * are load-time params (so that LLVM cannot fold the computation away).
 */
export function probeSource(programs: Program[], tested: Func[]): string {
  const lines = ['import { xdp, param, u8, u16, u32, u64, i8, i16, i32, i64 } from "tsbpf";', ""];
  tested.forEach((f, i) => f.params.forEach((_p, j) => lines.push(`const ${argParam(i, j)} = param<u64>("${argParam(i, j)}", 0);`)));
  lines.push("");
  for (const p of programs) {
    const types = printTypes(p);
    if (types) lines.push(types, "");
    p.functions.forEach((f, i) => lines.push(printFunction(f, p.functions.slice(0, i)), ""));
  }
  tested.forEach((f, i) => {
    const call = `${f.name}(${f.params.map((param, j) => `${param.ty}(${argParam(i, j)})`).join(", ")})`;
    lines.push(`export const ${f.name}_lo = xdp(() => u32(u64(${call})));`);
    lines.push(`export const ${f.name}_hi = xdp(() => u32(u64(${call}) >> 32));`);
  });
  return lines.join("\n") + "\n";
}

/**
 * Compiles; returns the error text instead of throwing for a user-facing error. Through the
 * CLI's path, in three parts that LLVM optimises apart and links: the generated functions call
 * each other across programs, so parts share functions, parameters and format strings.
 */
async function build(source: string): Promise<{ object?: CompiledObject; error?: string }> {
  const file = join(dir, `case${fileNo++}.ts`);
  writeFileSync(file, source);
  try {
    const c = await compileAsync(file, { cache: false, parts: 3 });
    return { object: c };
  } catch (e) {
    if (e instanceof TsbpfError) return { error: e.format() };
    throw e;
  }
}

export interface BatchResult {
  failure?: Failure;
  /** Functions whose programs the verifier gave up on (too many paths): not a semantic question. */
  tooComplex: string[];
}

const TOO_COMPLEX = /rejected program '(\S+)_(?:lo|hi)': (BPF program is too large|.*too complex)/;

/**
 * Runs `tested` on each argument set and compares with the reference. A function whose
 * program the verifier refuses as too complex is set aside and the batch retried without it.
 */
export async function runBatch(programs: Program[], tested: { program: Program; fn: Func }[], argCount: number, seed: number, fixedArgs?: bigint[][]): Promise<BatchResult> {
  const tooComplex: string[] = [];
  for (;;) {
    const failure = await runOnce(programs, tested, argCount, seed, fixedArgs);
    const m = failure?.error && !fixedArgs ? TOO_COMPLEX.exec(failure.error) : null;
    if (!m) return { failure, tooComplex };
    tooComplex.push(m[1]);
    tested = tested.filter((t) => t.fn.name !== m[1]);
    if (!tested.length) return { tooComplex };
  }
}

async function runOnce(programs: Program[], tested: { program: Program; fn: Func }[], argCount: number, seed: number, fixedArgs?: bigint[][]): Promise<Failure | undefined> {
  const source = probeSource(programs, tested.map((t) => t.fn));
  const built = await build(source);
  if (!built.object) return { program: tested[0].program, fn: tested[0].fn.name, args: [], error: built.error, source };
  const sets = fixedArgs ? tested.map(() => fixedArgs) : tested.map((t, i) => argSets(t.fn, seed + i, argCount));
  for (let k = 0; k < argCount; k++) {
    // One load per argument set, for every tested function at once: params are frozen once loaded.
    const args = tested.map((t, i) => sets[i][k].map((v, j) => wrap(v, t.fn.params[j].ty)));
    const params: Record<string, bigint> = {};
    args.forEach((a, i) => a.forEach((v, j) => (params[argParam(i, j)] = BigInt.asUintN(64, v))));
    let obj: LoadedObject;
    try {
      obj = LoadedObject.load(built.object, { params });
    } catch (e) {
      if (e instanceof TsbpfError) return { program: tested[0].program, fn: tested[0].fn.name, args: args[0], error: e.format(), source };
      throw e;
    }
    try {
      for (let i = 0; i < tested.length; i++) {
        const failure = compareOne(obj, tested[i], args[i], source);
        if (failure) return failure;
      }
    } finally {
      obj.close();
    }
  }
  return undefined;
}

function compareOne(obj: LoadedObject, t: { program: Program; fn: Func }, args: bigint[], source: string): Failure | undefined {
  const packet = new Uint8Array(64);
  const lo = BigInt(obj.testRun(`${t.fn.name}_lo`, packet).retval >>> 0);
  const hi = BigInt(obj.testRun(`${t.fn.name}_hi`, packet).retval >>> 0);
  const actual = wrap((hi << 32n) | lo, t.fn.ret as IntType);
  const expected = evaluate(t.program, t.fn.name, args);
  return actual === expected ? undefined : { program: t.program, fn: t.fn.name, args, expected, actual, source };
}
