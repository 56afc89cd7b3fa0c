// Turns the kernel verifier's refusal into an error at the TypeScript line that caused it: the
// verifier's own words, what they mean for the probe (verifier-classes.ts), what to do, and the
// log's last lines (all of it, beside the probe's lines, with --verbose).

import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import { columnSpan, lineSpan } from "../source-span.js";
import { BpfObject } from "../inspect/bpf-object.js";
import { VERIFIER_CLASSES, type VerifierClass } from "./verifier-classes.js";
import { interleavedLog, parseVerifierLog, probeLineOf, type VerifierLog } from "./verifier-log.js";

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

/** The class of a refusal: the first whose pattern matches the verifier's last words, else the first matching anywhere in the log. */
export function classifyRefusal(log: VerifierLog, text: string): { cls: VerifierClass; match: RegExpExecArray } | undefined {
  for (const source of [log.message, text])
    for (const cls of VERIFIER_CLASSES as readonly VerifierClass[])
      for (const pattern of cls.patterns) {
        const match = pattern.exec(source);
        if (match) return { cls, match };
      }
  return undefined;
}

/**
 * The column of the line the object's line info gives instruction `insn` of program
 * `programName`, if that is `line` (the log names lines only; the object knows the column).
 */
function columnOf(object: Buffer, fileName: string, programName: string, insn: number, line: number): number | undefined {
  try {
    const o = new BpfObject(object, fileName);
    const f = o.programs.find((p) => p.name === programName);
    if (!f || insn >= f.slots) return undefined; // in a subprogram libbpf appended
    let found: { line: number; column: number } | undefined;
    for (const shown of o.instructions(f)) {
      if (shown.index > insn) break;
      if (shown.line) found = shown.line;
    }
    return found && found.line === line && found.column > 0 ? found.column : undefined;
  } catch {
    return undefined; // the object is the compiler's own: a failure here only loses the column
  }
}

export interface LogInfo {
  /** The loaded object, whose line info has the columns the log leaves out. */
  object?: Buffer;
  /** The log did not fit the largest buffer tsbpf gives it: its first part is lost. */
  truncatedAt?: number;
  verbose?: boolean;
}

export function verifierError(programName: string, fileName: string, text: string, info: LogInfo = {}): TsbpfError {
  const log = parseVerifierLog(text, fileName);
  const refusal = classifyRefusal(log, text);
  const line = (refusal?.cls.blame && probeLineOf(text, fileName, refusal.cls.blame)) ?? log.line;
  const column = line !== undefined && line === log.line && log.insn !== undefined && info.object ? columnOf(info.object, fileName, programName, log.insn, line) : undefined;
  const at = line === undefined ? undefined : column !== undefined ? columnSpan(fileName, line, column) : lineSpan(fileName, line);
  const subject = at ? undefined : `program '${programName}'`;
  const lost = info.truncatedAt !== undefined ? `(the log is longer than ${info.truncatedAt / 1024 / 1024} MiB: its beginning is not shown)\n` : "";
  const detail = info.verbose
    ? `${lost}verifier log, each instruction beside the probe's line:\n${interleavedLog(text)}`
    : `${lost}verifier log (last lines; --verbose prints all of it):\n${log.excerpt.replace(/^/gm, "  ")}`;
  const core = CORE_FAILURE.exec(text);
  if (core) {
    const { message, hint } = coreFailure(programName, core);
    return new TsbpfError(message, { at, subject, hint, detail });
  }
  return new TsbpfError(`the kernel verifier rejected program '${programName}': ${log.message}`, {
    code: refusal?.cls.code,
    at,
    subject,
    why: refusal?.cls.explain(log, refusal.match),
    hint: refusal?.cls.hint,
    detail,
  });
}
