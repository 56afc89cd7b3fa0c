// How a mismatch reads in a test failure: everything needed to reproduce it by hand, the program
// as TypeScript, the call with its exact arguments, and both results in decimal and hex.

import type { Program } from "./ast.js";
import { printCall, printProgram } from "./print.js";
import { bits, type IntType } from "./reference-types.js";

export interface Mismatch {
  program: Program;
  fn: string;
  args: readonly bigint[];
  /** From evaluate(). */
  expected: bigint;
  /** From the kernel, or an error message when it did not produce a value. */
  actual: bigint | string;
  /** The generator's seed, if the program came from one. */
  seed?: number;
}

export function formatValue(v: bigint, ty: IntType): string {
  const hex = BigInt.asUintN(bits(ty), v).toString(16);
  return `${v} (0x${hex} as ${ty})`;
}

export function describeMismatch(m: Mismatch): string {
  const f = m.program.functions.find((g) => g.name === m.fn);
  if (!f) throw new Error(`no function ${m.fn}`);
  const actual = typeof m.actual === "bigint" ? formatValue(m.actual, f.ret) : m.actual;
  return [
    `mismatch${m.seed === undefined ? "" : ` (seed ${m.seed})`}: ${printCall(f, m.args)}`,
    `  reference: ${formatValue(m.expected, f.ret)}`,
    `  kernel:    ${actual}`,
    "",
    printProgram(m.program),
  ].join("\n");
}
