// The stack traces kstack() records: a BPF_MAP_TYPE_STACK_TRACE the compiler adds when a body
// calls kstack(), as printf's ring buffer is added (D134). bpf_get_stackid stores the kernel stack
// of the moment there, once per distinct stack, and gives its id: what a probe keeps (a map key,
// a field) is the id, a KernelStack; user space reads the addresses by id (runtime/stacks.ts).

import type * as TS from "typescript";
import { NO_USER_STACK, STACK_DEPTH, type StackMaps } from "../../contract/manifest.js";
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
export const STACK_MAPS = { kernel: "kernel_stacks", user: "user_stacks", userSeen: "user_stacks_seen", userNotices: "user_stack_notices" } as const;
/** BPF_F_USER_STACK: bpf_get_stackid walks the user stack. */
const USER_STACK = 1n << 8n;
/** Distinct stacks kept (bpftrace's default). */
const STACKS = 4096;
/** Process and stack pairs remembered as told (LRU: one forgotten is told again, which costs user space a check). */
const SEEN = 16384;
/** The notices' ring buffer: 4096 notices of 16 bytes (8 of header) before user space reads them. */
const NOTICES_BYTES = 64 * 1024;
/** BPF_NOEXIST; BPF_RB_NO_WAKEUP: user space reads the notices on a timer, so no wake-up is paid for. */
const NO_EXIST = 1n;
const NO_WAKEUP = 1n;

export class StackTraces {
  readonly ref: Value;
  /** ustack()'s: the pairs already told (an LRU hash), and the ring buffer that tells user space of new ones. */
  readonly notices?: { seen: Value; ring: Value };

  constructor(m: IRModule, debug: DebugInfo, name: string, notices?: { seen: string; ring: string }) {
    const map = new BtfMap(m, debug, m.uniqueName(name));
    const u32 = debug.basicType("unsigned int", 32, "unsigned");
    const u64 = debug.basicType("unsigned long long", 64, "unsigned");
    const frames = debug.arrayType(u64, STACK_DEPTH);
    map.define({ type: MapType.stackTrace, maxEntries: STACKS, key: { ir: i32, btf: u32 }, value: { ir: arrayOf(STACK_DEPTH, i64), btf: frames }, line: 1 });
    this.ref = map.ref;
    if (!notices) return;
    const seen = new BtfMap(m, debug, m.uniqueName(notices.seen));
    seen.define({ type: MapType.lruHash, maxEntries: SEEN, key: { ir: i64, btf: u64 }, value: { ir: i8, btf: debug.basicType("unsigned char", 8, "unsigned_char") }, line: 1 });
    const ring = new BtfMap(m, debug, m.uniqueName(notices.ring));
    ring.define({ type: MapType.ringbuf, maxEntries: NOTICES_BYTES, line: 1 });
    this.notices = { seen: seen.ref, ring: ring.ref };
  }
}

/** The manifest's names of the stack maps a module declares. */
export function stackMapsOf(stacks: { kernel?: StackTraces; user?: StackTraces }): StackMaps | undefined {
  if (!stacks.kernel && !stacks.user) return undefined;
  return { ...(stacks.kernel && { kernel: STACK_MAPS.kernel }), ...(stacks.user && { user: STACK_MAPS.user }), ...(stacks.user?.notices && { userNotices: STACK_MAPS.userNotices }) };
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
  const value = b.binary("or", tgid, stackId);
  if (stacks.notices) tellIfNew(l, stacks.notices, none, value);
  return { value, type };
}

/**
 * A recorded stack new to the probe for its process is sent to user space, once (the LRU hash's
 * BPF_NOEXIST insert succeeds only the first time): user space then reads the process's mappings
 * while it lives, for frames shown after it exits (D167). A full ring buffer drops the notice.
 */
function tellIfNew(l: ExpressionLowerer, notices: { seen: Value; ring: Value }, none: Value, value: Value): void {
  const b = l.b;
  const key = l.fn.alloca(i64, 8);
  const told = l.fn.alloca(i8, 1);
  const check = l.fn.newBlock("ustack.check");
  const tell = l.fn.newBlock("ustack.tell");
  const done = l.fn.newBlock("ustack.done");
  b.condBr(none, done, check);

  b.positionAt(check);
  b.store(value, key, 8);
  b.store(constInt(i8, 0), told, 1);
  const bytes = (v: Value) => b.cast("bitcast", v, ptrTo(i8));
  const inserted = b.callHelper(Helper.mapUpdateElem, i64, [bytes(notices.seen), bytes(key), bytes(told), constInt(i64, NO_EXIST)]);
  b.condBr(b.icmp("eq", inserted, constInt(i64, 0)), tell, done);

  b.positionAt(tell);
  b.callHelper(Helper.ringbufOutput, i64, [bytes(notices.ring), bytes(key), constInt(i64, 8), constInt(i64, NO_WAKEUP)]);
  b.br(done);

  b.positionAt(done);
}
