// printf(format, ...args): bpftrace's printf. Each call sends a record, its format's id and its
// arguments, through a ring buffer the compiler adds to the object; the runtime formats it
// (runtime/output/printf-format.ts). The arguments are evaluated first, as JavaScript evaluates
// them; a full buffer drops the line and counts it.

import type * as TS from "typescript";
import type { PrintfChannel, PrintfFormat } from "../../contract/manifest.js";
import { plainCType, sizeOf } from "../../contract/c-layout.js";
import { formatArgumentError, parseFormat, printableAs, PRINTF } from "../frontend/format-string.js";
import { INT_TYPES, type BoolType, type IntType, type StructType, type ValueType } from "../frontend/probe-types.js";
import { lineColumn } from "../frontend/spans.js";
import type { DebugInfo } from "../ir/debug-info.js";
import { constInt, type IRModule } from "../ir/ir-module.js";
import { i32, ptrTo } from "../ir/ir-types.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import type { MapRef } from "../maps/map-kind.js";
import { dropsMapName, ringBufKind, sendRecord } from "../maps/ring-buf.js";
import { fieldPlace, write } from "./aggregate-storage.js";
import { convert, promote, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";

/** The ring buffer's name in the object ('.' keeps it apart from the probe's own names). */
const PRINTF_MAP = "printf.events";
/**
 * 4 MiB: lines wait there while the reader is off the CPU (its backlog takes them once it runs,
 * D128). 1 MiB held 14 ms of a getppid loop's lines, and runs sharing 2 CPUs with a pipe's reader
 * lost up to 0.6 % of them; bpftrace's perf buffers are 256 KiB per CPU, 16 MiB on 64 CPUs.
 */
const PRINTF_BYTES = 4 << 20;

/** The module's printf ring buffer and the formats of its calls, in the order they were lowered (their ids). */
export class PrintfLines {
  private readonly formats: PrintfFormat[] = [];
  readonly ring: MapRef;
  private readonly dropsName: string;

  constructor(m: IRModule, debug: DebugInfo, dropsCounter: (name: string) => MapRef) {
    const map = new BtfMap(m, debug, m.uniqueName(PRINTF_MAP));
    map.define({ type: MapType.ringbuf, maxEntries: PRINTF_BYTES, line: 1 });
    this.dropsName = dropsMapName(PRINTF_MAP);
    this.ring = { kind: ringBufKind, key: INT_TYPES.u32, value: INT_TYPES.u32, ref: map.ref, drops: dropsCounter(PRINTF_MAP) };
  }

  add(format: string, record: StructType, at: TS.Node): number {
    this.formats.push({ format, record: plainCType(record), ...lineColumn(at) });
    return this.formats.length - 1;
  }

  manifest(): PrintfChannel {
    return { map: PRINTF_MAP, drops: this.dropsName, formats: this.formats };
  }
}

export function lowerPrintf(l: ExpressionLowerer, call: TS.CallExpression, lines: PrintfLines): void {
  const ts = l.p.ts;
  const [fmtNode, ...argNodes] = call.arguments;
  // The format was checked against the arguments before lowering (frontend/format-string.ts).
  const { conversions, bad } = fmtNode && ts.isStringLiteralLike(fmtNode) ? parseFormat(fmtNode.text, PRINTF) : { conversions: [], bad: true };
  if (bad || conversions.length !== argNodes.length || argNodes.length > PRINTF.maxArguments) l.notChecked(call, "a printf call whose format does not match its arguments");

  const args = conversions.map((c, i): Operand => {
    const arg = l.expression(argNodes[i]);
    if (!printableAs(c.letter, arg.type)) throw formatArgumentError(argNodes[i], c.letter, PRINTF);
    // Integers as C passes them to printf: promoted (a u8 travels as an i32), so %d and %x mean what they mean in C.
    return arg.type.kind === "str" ? arg : convert(l.b, arg, promote(arg.type as IntType | BoolType));
  });
  const record: StructType = {
    kind: "struct",
    name: "printf_record",
    fields: [{ name: "id", type: INT_TYPES.u32 }, ...args.map((a, i) => ({ name: `a${i}`, type: a.type as ValueType }))],
  };
  const id = lines.add((fmtNode as TS.StringLiteralLike).text, record, call);

  sendRecord(l, lines.ring, sizeOf(record), (slot) => {
    l.b.store(constInt(i32, id), l.b.cast("bitcast", slot, ptrTo(i32)));
    args.forEach((a, i) => write(l, fieldPlace(l, { value: slot, type: record }, `a${i}`, argNodes[i]), a, argNodes[i]));
  });
}
