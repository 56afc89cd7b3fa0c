// Arguments for calling a generated function: mostly the edges of each parameter's type (where
// wrapping, sign extension and division bugs live), sometimes arbitrary values of that type.

import type { Func } from "./ast.js";
import { Rng } from "./random.js";
import { range, wrap, type IntType } from "./reference-types.js";

/** Interesting values of a type: its bounds and their neighbours, 0, ±1, small numbers. */
export function edgeValues(t: IntType): bigint[] {
  const [min, max] = range(t);
  const vs = [0n, 1n, 2n, 7n, -1n, -2n, -7n, min, min + 1n, max, max - 1n, max >> 1n, (max >> 1n) + 1n];
  return [...new Set(vs.map((v) => wrap(v, t)))];
}

export function randomValue(rng: Rng, t: IntType): bigint {
  return rng.chance(0.6) ? rng.pick(edgeValues(t)) : wrap(rng.bits64(), t);
}

/** One argument list for `f`, each value already in its parameter's type. */
export function pickArgs(f: Func, rng: Rng): bigint[] {
  return f.params.map((p) => randomValue(rng, p.ty));
}

/** `n` argument lists for `f`, reproducible from `seed`. */
export function argSets(f: Func, seed: number, n: number): bigint[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => pickArgs(f, rng));
}
