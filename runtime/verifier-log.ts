// Turns the kernel verifier's log into an error at the TypeScript line that caused it. The
// compiler puts the probe's source into the BTF line info, so the log quotes it as
// `; <source line> @ file.ts:7` before the instructions of that line.

import { basename } from "node:path";
import { TsbpfError } from "../contract/errors.js";
import { lineSpan } from "./source-span.js";

export interface VerifierFailure {
  message: string; // the verifier's own words for the failure
  line?: number; // TypeScript line, when the log quotes one
  excerpt: string; // the last instructions before the failure
}

const TRAILER = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|-- END PROG LOAD LOG)/;

export function parseVerifierLog(log: string, fileName: string): VerifierFailure {
  const lines = log.split("\n").filter((l) => l.trim() !== "");
  let end = lines.length;
  while (end > 0 && TRAILER.test(lines[end - 1])) end--;
  const message = lines[end - 1] ?? "the program was rejected (no log)";
  const base = basename(fileName);
  let line: number | undefined;
  for (let i = end - 1; i >= 0 && line === undefined; i--) {
    const m = /^; .* @ (.+):(\d+)$/.exec(lines[i]);
    if (m && basename(m[1]) === base && m[2] !== "0") line = Number(m[2]); // line 0: compiler-made code
  }
  return { message, line, excerpt: lines.slice(Math.max(0, end - 16), end).join("\n") };
}

const HINTS: [RegExp, string][] = [
  [/GPL-restricted|GPL-compatible/, "the licence section must be GPL-compatible (tsbpf emits GPL)"],
  [/invalid mem access 'map_value_or_null'|_or_null/, "check a map lookup for undefined before using it"],
  [/BPF program is too large/, "the verifier walks every path through the program: a loop whose body branches on data multiplies the paths; use fewer iterations, or move the branch out of the loop"],
  [/back-edge|infinite loop|loop is not bounded/, "bound the loop by a constant the compiler can see"],
  [/stack (limit|size)|combined stack size|invalid (write|read) to stack/, "the BPF stack is 512 bytes: move large values into a map"],
  [/invalid mem access|invalid access to/, "read kernel or user memory through readKernel()/readUser(), not by dereferencing"],
  [/unknown func|program of this type cannot use helper/, "this helper is not available to this program kind or kernel"],
];

export function verifierError(programName: string, fileName: string, log: string): TsbpfError {
  const f = parseVerifierLog(log, fileName);
  const at = f.line !== undefined ? lineSpan(fileName, f.line) : undefined;
  return new TsbpfError(`the kernel verifier rejected program '${programName}': ${f.message}`, {
    at,
    subject: at ? undefined : `program '${programName}'`,
    hint: HINTS.find(([re]) => re.test(log))?.[1],
    detail: `verifier log (last lines; --verbose prints all of it):\n${f.excerpt.replace(/^/gm, "  ")}`,
  });
}
