// Calls to tsbpf's helper functions and integer casts, by the name they resolve to in
// stdlib/ (helpers.d.ts, integers.d.ts, memory.d.ts).

import type * as TS from "typescript";
import { INT_TYPES, isAggregate, typeAt, typeName, type IntType, type PtrType, type StrType } from "../frontend/probe-types.js";
import { sizeOf } from "../../contract/c-layout.js";
import { allocate } from "./aggregate-storage.js";
import { constInt } from "../ir/ir-module.js";
import { i32, i64, i8, ptrTo } from "../ir/ir-types.js";
import { convert, irTypeOf, NO_VALUE, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";
import { Helper } from "../../contract/helper-ids.js";
import { lowerPrintk } from "./printk.js";
import { lowerPrintf } from "./printf.js";
import { lowerStartsWith } from "./str-compare.js";
import { kernelEnumValue, kernelFieldExists, kernelTypeSize } from "./kernel-fields.js";
import { lowerStack } from "./stack-traces.js";
import { KIND_CONSTANTS } from "../kinds/registry.js";
import { Codes } from "../frontend/codes.js";
import { formattedType } from "../frontend/formatted-types.js";
import { errorAt } from "../frontend/spans.js";

type Lowering = (l: ExpressionLowerer, call: TS.CallExpression) => Operand;

/** A helper returning u64, then the part of it that the tsbpf function returns. */
function fromHelper(id: number, part: "whole" | "low" | "high", type: IntType): Lowering {
  return (l) => {
    let v = l.b.callHelper(id, i64, []);
    if (part === "high") v = l.b.binary("lshr", v, constInt(i64, 32));
    return convert(l.b, { value: v, type: INT_TYPES.u64 }, type);
  };
}

const BUILTINS: Record<string, Lowering> = {
  printk: (l, call) => {
    lowerPrintk(l, call);
    return NO_VALUE;
  },
  printf: (l, call) => {
    lowerPrintf(l, call, l.ml.printf!);
    return NO_VALUE;
  },
  pid: fromHelper(Helper.getCurrentPidTgid, "high", INT_TYPES.u32),
  tid: fromHelper(Helper.getCurrentPidTgid, "low", INT_TYPES.u32),
  uid: fromHelper(Helper.getCurrentUidGid, "low", INT_TYPES.u32),
  gid: fromHelper(Helper.getCurrentUidGid, "high", INT_TYPES.u32),
  ktime: fromHelper(Helper.ktimeGetNs, "whole", INT_TYPES.u64),
  cgroupId: fromHelper(Helper.getCurrentCgroupId, "whole", INT_TYPES.u64),
  currentTask: (l, call) => ({ value: l.b.callHelper(Helper.getCurrentTask, i64, []), type: typeAt(l.p, call) }),
  kstack: (l, call) => lowerStack(l, call, l.ml.stacks.kernel!, false, typeAt(l.p, call)),
  ustack: (l, call) => lowerStack(l, call, l.ml.stacks.user!, true, typeAt(l.p, call)),
  fieldExists: kernelFieldExists,
  typeSize: kernelTypeSize,
  enumValueExists: (l, call) => kernelEnumValue(l, call, "exists"),
  enumValue: (l, call) => kernelEnumValue(l, call, "value"),
  comm: (l, call) => {
    const type: StrType = { kind: "str", length: 16 };
    const buf = allocate(l, type, call);
    l.b.callHelper(Helper.getCurrentComm, i64, [buf, constInt(i32, 16)]);
    return { value: buf, type };
  },
  funcName: funcAddress,
  probeName: funcAddress,
  cpu: (l) => convert(l.b, { value: l.b.callHelper(Helper.getSmpProcessorId, i64, []), type: INT_TYPES.u64 }, INT_TYPES.u32),
};

/** funcName(): the probed function's address (bpf_get_func_ip, which reads the program's context). */
function funcAddress(l: ExpressionLowerer, call: TS.CallExpression): Operand {
  if (!l.context)
    throw errorAt(call, Codes.unsupportedSyntax, `${call.expression.getText()}() needs the program's context, which only its handler has`, "call it in the handler, and pass what it gives to the function");
  return { value: l.b.callHelper(Helper.getFuncIp, i64, [l.context.pointer]), type: formattedType("KernelAddress")! };
}

/** readKernel / readUser: the helper copies size bytes into storage, zeroed when it cannot. */
function readVia(id: number): Lowering {
  return (l, call) => {
    const ptr = l.expression(call.arguments[0]);
    const type = typeAt(l.p, call);
    if (type.kind === "void" || type.kind === "optional") return l.unsupported(call, `reading ${typeName(type)}`);
    if (isAggregate(type)) {
      const storage = allocate(l, type, call);
      l.b.callHelper(id, i64, [storage, constInt(i32, sizeOf(type)), ptr.value]);
      return { value: storage, type };
    }
    const slot = l.fn.alloca(irTypeOf(type), 8);
    l.b.callHelper(id, i64, [l.b.cast("bitcast", slot, ptrTo(i8)), constInt(i32, sizeOf(type)), ptr.value]);
    return { value: l.b.load(slot), type };
  };
}

/** readKernelStr / readUserStr: at most size - 1 bytes and a NUL, into a fresh Str<size>. */
function readStrVia(id: number): Lowering {
  return (l, call) => {
    const ptr = l.expression(call.arguments[0]);
    const type = typeAt(l.p, call);
    if (type.kind !== "str") return l.unsupported(call.arguments[1], "a size that is not an integer literal");
    const storage = allocate(l, type, call);
    l.b.callHelper(id, i64, [storage, constInt(i32, sizeOf(type)), ptr.value]);
    return { value: storage, type };
  };
}

/** kernelPtr(x) / userPtr(x): the same 64 bits, now typed as a pointer. */
const asPointer: Lowering = (l, call) => {
  const type = typeAt(l.p, call) as PtrType;
  return { value: convert(l.b, l.scalar(call.arguments[0]), INT_TYPES.u64).value, type };
};

BUILTINS.kernelPtr = asPointer;
BUILTINS.userPtr = asPointer;
BUILTINS.address = (l, call) => ({ value: l.expression(call.arguments[0]).value, type: INT_TYPES.u64 });
BUILTINS.readKernel = readVia(Helper.probeReadKernel);
BUILTINS.readUser = readVia(Helper.probeReadUser);
BUILTINS.readKernelStr = readStrVia(Helper.probeReadKernelStr);
BUILTINS.readUserStr = readStrVia(Helper.probeReadUserStr);
BUILTINS.startsWith = lowerStartsWith; // a Str's method (aggregates.d.ts)

// u8(x) … i64(x): a C cast.
for (const [name, type] of Object.entries(INT_TYPES)) {
  BUILTINS[name] = (l, call) => convert(l.b, l.expression(call.arguments[0]), type);
}

/** A named constant of tsbpf's (a program kind's, such as XDP_PASS), by its stdlib name. */
export function stdlibConstant(name: string): Operand | undefined {
  const c = KIND_CONSTANTS.get(name);
  return c && { value: constInt(irTypeOf(c.type), c.value), type: c.type };
}

export function lowerBuiltinCall(l: ExpressionLowerer, name: string, call: TS.CallExpression): Operand | undefined {
  return BUILTINS[name]?.(l, call);
}
