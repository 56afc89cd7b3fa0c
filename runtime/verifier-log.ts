// Turns the kernel verifier's log into an error at the TypeScript line that caused it. The
// compiler puts the probe's source into the BTF line info, so the log quotes it as
// `; <source line> @ file.ts:7` before the instructions of that line.

import { release } from "node:os";
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

/**
 * libbpf's words for a field the running kernel's struct lacks (a CO-RE read of a probe built
 * against another kernel's BTF): `failed to resolve CO-RE relocation <byte_off> [22] struct
 * task_struct___tsbpf1.loginuid (0:57 @ offset 1432)`. The `___` suffix is the compiler's (D131).
 */
const CORE_FAILURE = /failed to resolve CO-RE relocation <(\w+)> \[\d+\] (struct|union|typedef|enum) ([A-Za-z0-9_]+?)(?:___\w+)?(?:\.([A-Za-z0-9_.]+))? /;

/** The error for a CO-RE read the running kernel cannot place, naming the field, the struct and the kernel. */
function coreFailure(programName: string, m: RegExpExecArray): { message: string; hint: string } {
  const [, , kind, name, field] = m;
  return field
    ? {
        message: `program '${programName}' cannot load: this kernel (Linux ${release()}) has no field '${field}' in ${kind} ${name}, which the probe reads`,
        hint: `the probe was built against another kernel's types: read it only where the kernel has it, if (fieldExists(x.${field.split(".").pop()})) …, or build on a kernel like this one`,
      }
    : { message: `program '${programName}' cannot load: this kernel (Linux ${release()}) has no ${kind} ${name}, which the probe uses`, hint: "build the probe against this kernel's types, or guard the use" };
}

export function verifierError(programName: string, fileName: string, log: string): TsbpfError {
  const f = parseVerifierLog(log, fileName);
  const at = f.line !== undefined ? lineSpan(fileName, f.line) : undefined;
  const core = CORE_FAILURE.exec(log);
  const { message, hint } = core ? coreFailure(programName, core) : { message: `the kernel verifier rejected program '${programName}': ${f.message}`, hint: HINTS.find(([re]) => re.test(log))?.[1] };
  return new TsbpfError(message, {
    at,
    subject: at ? undefined : `program '${programName}'`,
    hint,
    detail: `verifier log (last lines; --verbose prints all of it):\n${f.excerpt.replace(/^/gm, "  ")}`,
  });
}
