// printk's format, checked against its arguments before lowering (lower/printk.ts lowers the
// call this check let through): a literal, conversions the kernel's bpf_trace_printk knows, one
// argument per conversion and at most the kernel's count, a Str for %s and an integer otherwise.

import type * as TS from "typescript";
import type { CheckedSource } from "./checked-source.js";
import { Codes } from "./codes.js";
import { typeIfKnown, type ProbeType } from "./probe-types.js";
import type { TsbpfError } from "../../contract/errors.js";
import { errorAt } from "./spans.js";

export interface Conversion {
  letter: "d" | "i" | "u" | "x" | "X" | "p" | "s";
  start: number;
  end: number;
}

/** bpf_trace_vprintk's limit (MAX_BPRINTF_VARARGS in the kernel). */
export const PRINTK_MAX_ARGUMENTS = 12;

const CONVERSION = /%(?:%|(-?\d*)(l{0,2}|h{0,2}|z)([diuxXps]))/g;

export function parseFormat(fmt: string): { conversions: Conversion[]; bad?: { at: number; text: string } } {
  const conversions: Conversion[] = [];
  let last = 0;
  for (const m of fmt.matchAll(CONVERSION)) {
    const gap = fmt.slice(last, m.index);
    const stray = gap.indexOf("%");
    if (stray >= 0) return { conversions, bad: { at: last + stray, text: fmt.slice(last + stray, last + stray + 2) } };
    last = m.index + m[0].length;
    if (m[0] === "%%") continue;
    const letter = m[3];
    if (letter === "s" && (m[1] || m[2])) return { conversions, bad: { at: m.index, text: m[0] } };
    conversions.push({ letter: letter as Conversion["letter"], start: m.index, end: last });
  }
  const stray = fmt.indexOf("%", last);
  if (stray >= 0) return { conversions, bad: { at: stray, text: fmt.slice(stray, stray + 2) } };
  return { conversions };
}

/** Whether a value of type `t` may be printed by a conversion of `letter`. */
export function printableAs(letter: Conversion["letter"], t: ProbeType): boolean {
  return letter === "s" ? t.kind === "str" : t.kind === "int" || t.kind === "bool";
}

/** What is wrong with a `printk(…)` call, each at its place (several arguments may be wrong). */
export function checkPrintkCall(p: CheckedSource, call: TS.CallExpression): void {
  for (const e of printkErrors(p, call)) p.diagnostics.report(e);
}

function printkErrors(p: CheckedSource, call: TS.CallExpression): TsbpfError[] {
  const [fmtNode, ...argNodes] = call.arguments;
  if (fmtNode && p.diagnostics.reportedWithin(fmtNode)) return []; // (`printk(f as any)`: the `any` says it)
  if (!fmtNode || !p.ts.isStringLiteralLike(fmtNode))
    return [errorAt(fmtNode ?? call, Codes.printkFormatNotLiteral, "the printk format must be a string literal", 'write the format inline, e.g. printk("pid %d", pid())')];
  const { conversions, bad } = parseFormat(fmtNode.text);
  if (bad)
    return [errorAt(fmtNode, Codes.printkBadConversion, `printk does not support the conversion '${bad.text}'`, "use %d %i %u %x %p (with l/ll/h/hh as in C), %s for a Str, or %% for a percent sign")];
  if (conversions.length !== argNodes.length)
    return [
      errorAt(
        argNodes.length > conversions.length ? argNodes[conversions.length] : call,
        Codes.printkArgumentCount,
        `the format has ${conversions.length} conversion${conversions.length === 1 ? "" : "s"} but ${argNodes.length} argument${argNodes.length === 1 ? " was" : "s were"} given`,
        "give one argument per % conversion",
      ),
    ];
  if (argNodes.length > PRINTK_MAX_ARGUMENTS)
    return [
      errorAt(
        argNodes[PRINTK_MAX_ARGUMENTS],
        Codes.printkArgumentCount,
        `printk prints at most ${PRINTK_MAX_ARGUMENTS} arguments (the kernel's limit for bpf_trace_vprintk); this is argument ${PRINTK_MAX_ARGUMENTS + 1} of ${argNodes.length}`,
        `print them in several printk calls of at most ${PRINTK_MAX_ARGUMENTS} arguments each`,
      ),
    ];
  return conversions.flatMap((c, i) => {
    const type = p.diagnostics.reportedWithin(argNodes[i]) ? undefined : typeIfKnown(p, argNodes[i]);
    if (!type || printableAs(c.letter, type)) return [];
    return [printkArgumentError(argNodes[i], c.letter)];
  });
}

/** TSB1204 for an argument `letter` cannot print. */
export function printkArgumentError(arg: TS.Node, letter: Conversion["letter"]): TsbpfError {
  return letter === "s"
    ? errorAt(arg, Codes.printkArgumentType, "%s needs a Str argument", 'e.g. printk("%s", comm())')
    : errorAt(arg, Codes.printkArgumentType, `%${letter} needs an integer argument`, "pass an integer or boolean value");
}
