// printk(format, ...args) → bpf_trace_printk (up to three arguments) or bpf_trace_vprintk (up to
// twelve: the kernel's MAX_BPRINTF_VARARGS; with more it prints nothing and returns an error).
// The format was checked against the arguments before lowering (frontend/format-string.ts). Every integer argument is
// passed as 64 bits and its conversion rewritten to the `ll` form, after C's default argument
// promotion: `%d` of a u32 0xffffffff prints -1 as in C, and `%d` of a u64 prints all 64 bits.

import type * as TS from "typescript";
import { formatArgumentError, parseFormat, printableAs, PRINTK_MAX_ARGUMENTS, type Conversion } from "../frontend/format-string.js";
import { INT_TYPES, type BoolType, type IntType } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i32, i64 } from "../ir/ir-types.js";
import { storage } from "./aggregate-storage.js";
import { convert, promote, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";
import { Helper } from "../../contract/helper-ids.js";

export function lowerPrintk(l: ExpressionLowerer, call: TS.CallExpression): void {
  const ts = l.p.ts;
  const [fmtNode, ...argNodes] = call.arguments;
  // The format was checked against the arguments before lowering (frontend/format-string.ts).
  const { conversions, bad } = fmtNode && ts.isStringLiteralLike(fmtNode) ? parseFormat(fmtNode.text) : { conversions: [], bad: true };
  if (bad || conversions.length !== argNodes.length || argNodes.length > PRINTK_MAX_ARGUMENTS)
    l.notChecked(call, "a printk call whose format does not match its arguments");
  const fmt = (fmtNode as TS.StringLiteralLike).text;

  let kernelFmt = "";
  let last = 0;
  const args: Value[] = [];
  conversions.forEach((c, i) => {
    const arg = l.expression(argNodes[i]);
    // Checked on the argument's TypeScript type before lowering; this is its lowered type.
    if (!printableAs(c.letter, arg.type)) throw formatArgumentError(argNodes[i], c.letter);
    if (c.letter === "s") {
      // The kernel reads the string through the pointer (safely, up to its NUL).
      args.push(l.b.cast("ptrtoint", arg.value, i64));
      kernelFmt += fmt.slice(last, c.start) + "%s";
      last = c.end;
      return;
    }
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
