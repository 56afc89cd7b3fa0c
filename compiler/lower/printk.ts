// printk(format, ...args) → bpf_trace_printk (up to three arguments) or bpf_trace_vprintk (up to
// twelve: the kernel's MAX_BPRINTF_VARARGS; with more it prints nothing and returns an error).
// The format is checked against the arguments at compile time. Every integer argument is
// passed as 64 bits and its conversion rewritten to the `ll` form, after C's default argument
// promotion: `%d` of a u32 0xffffffff prints -1 as in C, and `%d` of a u64 prints all 64 bits.

import type * as TS from "typescript";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { INT_TYPES, type BoolType, type IntType } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i32, i64 } from "../ir/ir-types.js";
import { storage } from "./aggregate-storage.js";
import { convert, promote, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";
import { Helper } from "./helper-ids.js";

interface Conversion {
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

export function lowerPrintk(l: ExpressionLowerer, call: TS.CallExpression): void {
  const ts = l.p.ts;
  const [fmtNode, ...argNodes] = call.arguments;
  if (!fmtNode || !ts.isStringLiteralLike(fmtNode))
    throw errorAt(fmtNode ?? call, Codes.printkFormatNotLiteral, "the printk format must be a string literal", 'write the format inline, e.g. printk("pid %d", pid())');
  const fmt = fmtNode.text;
  const { conversions, bad } = parseFormat(fmt);
  if (bad)
    throw errorAt(fmtNode, Codes.printkBadConversion, `printk does not support the conversion '${bad.text}'`, "use %d %i %u %x %p (with l/ll/h/hh as in C), %s for a Str, or %% for a percent sign");
  if (conversions.length !== argNodes.length)
    throw errorAt(
      argNodes.length > conversions.length ? argNodes[conversions.length] : call,
      Codes.printkArgumentCount,
      `the format has ${conversions.length} conversion${conversions.length === 1 ? "" : "s"} but ${argNodes.length} argument${argNodes.length === 1 ? " was" : "s were"} given`,
      "give one argument per % conversion",
    );
  if (argNodes.length > PRINTK_MAX_ARGUMENTS)
    throw errorAt(
      argNodes[PRINTK_MAX_ARGUMENTS],
      Codes.printkArgumentCount,
      `printk prints at most ${PRINTK_MAX_ARGUMENTS} arguments (the kernel's limit for bpf_trace_vprintk); this is argument ${PRINTK_MAX_ARGUMENTS + 1} of ${argNodes.length}`,
      `print them in several printk calls of at most ${PRINTK_MAX_ARGUMENTS} arguments each`,
    );

  let kernelFmt = "";
  let last = 0;
  const args: Value[] = [];
  conversions.forEach((c, i) => {
    const arg = l.expression(argNodes[i]);
    if (c.letter === "s") {
      // The kernel reads the string through the pointer (safely, up to its NUL).
      if (arg.type.kind !== "str") throw errorAt(argNodes[i], Codes.printkArgumentType, "%s needs a Str argument", "e.g. printk(\"%s\", comm())");
      args.push(l.b.cast("ptrtoint", arg.value, i64));
      kernelFmt += fmt.slice(last, c.start) + "%s";
      last = c.end;
      return;
    }
    if (arg.type.kind !== "int" && arg.type.kind !== "bool")
      throw errorAt(argNodes[i], Codes.printkArgumentType, `%${c.letter} needs an integer argument`, "pass an integer or boolean value");
    args.push(widen(l, arg, c.letter));
    kernelFmt += fmt.slice(last, c.start) + (c.letter === "p" ? "%p" : `%ll${c.letter}`);
    last = c.end;
  });
  kernelFmt += fmt.slice(last);
  if (!kernelFmt.endsWith("\n")) kernelFmt += "\n";

  const s = l.module.addCString(l.module.uniqueName(`${l.name}.fmt`), kernelFmt);
  const b = l.b;
  if (args.length <= 3) {
    b.callHelper(Helper.tracePrintk, i64, [s.ptr, constInt(i32, s.size), ...args], true);
    return;
  }
  // The arguments' array counts against the stack budget (in a handler it may go to scratch).
  const data = storage(l, args.length * 8, call, "printk's arguments");
  args.forEach((v, i) => b.store(v, b.byteOffset(data, i * 8, i64), 8));
  b.callHelper(Helper.traceVprintk, i64, [s.ptr, constInt(i32, s.size), data, constInt(i32, args.length * 8)]);
}

/** The 64-bit value that `%ll<letter>` prints as C's printf prints the promoted argument. */
function widen(l: ExpressionLowerer, arg: Operand, letter: Conversion["letter"]): Value {
  const promoted = convert(l.b, arg, promote(arg.type as IntType | BoolType));
  const t = promoted.type as IntType;
  if (t.bits === 64) return promoted.value;
  const signed = letter === "d" || letter === "i";
  return convert(l.b, { value: promoted.value, type: signed ? INT_TYPES.i32 : INT_TYPES.u32 }, signed ? INT_TYPES.i64 : INT_TYPES.u64).value;
}
