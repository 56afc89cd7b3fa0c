// The stack traces kstack() records: a BPF_MAP_TYPE_STACK_TRACE the compiler adds when a body
// calls kstack(), as printf's ring buffer is added (D134). bpf_get_stackid stores the kernel stack
// of the moment there, once per distinct stack, and gives its id: what a probe keeps (a map key,
// a field) is the id, a KernelStack; user space reads the addresses by id (runtime/stacks.ts).

import type * as TS from "typescript";
import { NO_USER_STACK, STACK_DEPTH } from "../../contract/manifest.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import type { DebugInfo } from "../ir/debug-info.js";
import { constInt, type IRModule, type Value } from "../ir/ir-module.js";
import { arrayOf, i32, i64, ptrTo, i8 } from "../ir/ir-types.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import { Helper } from "../../contract/helper-ids.js";
import type { ExpressionLowerer } from "./expressions.js";
import type { Operand } from "./arith.js";

/** The maps' names in the object and the manifest. */
export const STACK_MAPS = { kernel: "kernel_stacks", user: "user_stacks" } as const;
/** BPF_F_USER_STACK: bpf_get_stackid walks the user stack. */
const USER_STACK = 1n << 8n;
/** Distinct stacks kept (bpftrace's default). */
const STACKS = 4096;

export class StackTraces {
  readonly ref: Value;

  constructor(m: IRModule, debug: DebugInfo, name: string) {
    const map = new BtfMap(m, debug, m.uniqueName(name));
    const u32 = debug.basicType("unsigned int", 32, "unsigned");
    const frames = debug.arrayType(debug.basicType("unsigned long long", 64, "unsigned"), STACK_DEPTH);
    map.define({ type: MapType.stackTrace, maxEntries: STACKS, key: { ir: i32, btf: u32 }, value: { ir: arrayOf(STACK_DEPTH, i64), btf: frames }, line: 1 });
    this.ref = map.ref;
  }
}

/**
 * `kstack()`: bpf_get_stackid(ctx, &kernel_stacks, 0), the kernel stack's id (negative: none
 * recorded). `ustack()`: the user stack's, in user_stacks, with the process's id in the high 32
 * bits (user space needs it to read the process's mappings); no stack is id 0xffffffff.
 */
export function lowerStack(l: ExpressionLowerer, call: TS.CallExpression, stacks: StackTraces, user: boolean, type: Operand["type"]): Operand {
  if (!l.context)
    throw errorAt(call, Codes.unsupportedSyntax, `${user ? "ustack" : "kstack"}() is called from a program's handler, not from a function`, `the helper needs the program's context: call ${user ? "ustack" : "kstack"}() in the handler and pass the id on`);
  const b = l.b;
  const id = b.callHelper(Helper.getStackid, i64, [b.cast("bitcast", l.context.pointer, ptrTo(i8)), b.cast("bitcast", stacks.ref, ptrTo(i8)), constInt(i64, user ? USER_STACK : 0n)]);
  if (!user) return { value: id, type };
  const none = b.icmp("slt", id, constInt(i64, 0));
  const low = b.binary("and", id, constInt(i64, 0xffffffffn));
  const stackId = b.select(none, constInt(i64, NO_USER_STACK), low);
  const tgid = b.binary("and", b.callHelper(Helper.getCurrentPidTgid, i64, []), constInt(i64, 0xffffffff00000000n));
  return { value: b.binary("or", tgid, stackId), type };
}
