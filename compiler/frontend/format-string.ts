// printk's and printf's formats, checked against their arguments before lowering (lower/printk.ts
// and lower/printf.ts lower the calls this check let through): a literal, conversions of the
// function's dialect (printk: what the kernel's bpf_trace_printk knows; printf: C's, formatted in
// user space), one argument per conversion and at most the dialect's count, a Str for %s and an
// integer otherwise.

import type * as TS from "typescript";
import type { CheckedSource } from "./checked-source.js";
import { Codes } from "./codes.js";
import { typeIfKnown, type ProbeType } from "./probe-types.js";
import type { TsbpfError } from "../../contract/errors.js";
import { PRINTF_CONVERSION } from "../../contract/printf-conversions.js";
import { errorAt } from "./spans.js";

export interface Conversion {
  letter: "d" | "i" | "u" | "x" | "X" | "o" | "c" | "p" | "s";
  start: number;
  end: number;
}

/** What a formatting function accepts. */
export interface FormatDialect {
  name: "printk" | "printf";
  /** One conversion (or %%): its flags, width, precision, length modifier and letter, as PRINTF_CONVERSION's groups. */
  conversion: RegExp;
  maxArguments: number;
  /** Why there is a limit, and what to do past it. */
  limit: string;
  supported: string;
}

/** bpf_trace_vprintk's limit (MAX_BPRINTF_VARARGS in the kernel). */
export const PRINTK_MAX_ARGUMENTS = 12;

export const PRINTK: FormatDialect = {
  name: "printk",
  conversion: /%(?:%|(-?)(\d*)()(l{0,2}|h{0,2}|z)([diuxXps]))/g,
  maxArguments: PRINTK_MAX_ARGUMENTS,
  limit: `the kernel's limit for bpf_trace_vprintk`,
  supported: "use %d %i %u %x %p (with l/ll/h/hh as in C), %s for a Str, or %% for a percent sign",
};

/** Formatted in user space (runtime/output/printf-format.ts): C's flags, width and precision. */
export const PRINTF: FormatDialect = {
  name: "printf",
  conversion: PRINTF_CONVERSION,
  maxArguments: 32,
  limit: "one record carries at most 32",
  supported: "use %d %i %u %x %X %o %c %p (with flags, width and precision as in C; l/ll/h/hh are accepted), %s for a Str, or %% for a percent sign",
};

export function parseFormat(fmt: string, dialect: FormatDialect = PRINTK): { conversions: Conversion[]; bad?: { at: number; text: string } } {
  const conversions: Conversion[] = [];
  let last = 0;
  for (const m of fmt.matchAll(dialect.conversion)) {
    const gap = fmt.slice(last, m.index);
    const stray = gap.indexOf("%");
    if (stray >= 0) return { conversions, bad: { at: last + stray, text: fmt.slice(last + stray, last + stray + 2) } };
    last = m.index + m[0].length;
    if (m[0] === "%%") continue;
    const letter = m[5];
    if (letter === "s" && (m[4] || (dialect === PRINTK && (m[1] || m[2])))) return { conversions, bad: { at: m.index, text: m[0] } };
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

/** What is wrong with a `printk(…)` or `printf(…)` call, each at its place (several arguments may be wrong). */
export function checkFormatCall(p: CheckedSource, call: TS.CallExpression, dialect: FormatDialect): void {
  for (const e of formatErrors(p, call, dialect)) p.diagnostics.report(e);
}

function formatErrors(p: CheckedSource, call: TS.CallExpression, d: FormatDialect): TsbpfError[] {
  const [fmtNode, ...argNodes] = call.arguments;
  if (fmtNode && p.diagnostics.reportedWithin(fmtNode)) return []; // (`printk(f as any)`: the `any` says it)
  if (!fmtNode || !p.ts.isStringLiteralLike(fmtNode))
    return [errorAt(fmtNode ?? call, Codes.printkFormatNotLiteral, `the ${d.name} format must be a string literal`, `write the format inline, e.g. ${d.name}("pid %d", pid())`)];
  const { conversions, bad } = parseFormat(fmtNode.text, d);
  if (bad) return [errorAt(fmtNode, Codes.printkBadConversion, `${d.name} does not support the conversion '${bad.text}'`, d.supported)];
  if (conversions.length !== argNodes.length)
    return [
      errorAt(
        argNodes.length > conversions.length ? argNodes[conversions.length] : call,
        Codes.printkArgumentCount,
        `the format has ${conversions.length} conversion${conversions.length === 1 ? "" : "s"} but ${argNodes.length} argument${argNodes.length === 1 ? " was" : "s were"} given`,
        "give one argument per % conversion",
      ),
    ];
  const max = d.maxArguments;
  if (argNodes.length > max)
    return [
      errorAt(
        argNodes[max],
        Codes.printkArgumentCount,
        `${d.name} prints at most ${max} arguments (${d.limit}); this is argument ${max + 1} of ${argNodes.length}`,
        `print them in several ${d.name} calls of at most ${max} arguments each`,
      ),
    ];
  return conversions.flatMap((c, i) => {
    const type = p.diagnostics.reportedWithin(argNodes[i]) ? undefined : typeIfKnown(p, argNodes[i]);
    if (!type || printableAs(c.letter, type)) return [];
    return [formatArgumentError(argNodes[i], c.letter, d)];
  });
}

/** TSB1204 for an argument `letter` cannot print. */
export function formatArgumentError(arg: TS.Node, letter: Conversion["letter"], d: FormatDialect = PRINTK): TsbpfError {
  return letter === "s"
    ? errorAt(arg, Codes.printkArgumentType, "%s needs a Str argument", `e.g. ${d.name}("%s", comm())`)
    : errorAt(arg, Codes.printkArgumentType, `%${letter} needs an integer argument`, "pass an integer or boolean value");
}
