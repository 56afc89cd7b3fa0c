// The stack traces kstack() and ustack() record (D134, D193): maps the compiler adds when a body
// calls them, as printf's ring buffer is added. Each distinct stack gets an id once, exactly: the
// frames bpf_get_stack copies go into the program's scratch buffer, a hash keyed by the whole
// stack gives its id, and a new stack claims a new id (claimId). What a probe keeps (a map key, a
// field) is the id; user space reads the stacks and inverts the hash (runtime/maps/stack-map.ts).
// bpf_get_stackid's stack map was not kept: it keeps one stack per hash bucket and refuses a
// second (-EEXIST), so with a few dozen distinct stacks some are lost.

import type * as TS from "typescript";
import { STACK_DEPTH, STACK_ENTRIES, STACK_ID_COUNT_BITS, STACK_ID_CPU_MASK, type StackMaps, type StackTableMaps } from "../../contract/manifest.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import type { DebugInfo } from "../ir/debug-info.js";
import { constInt, nullPointer, type Block, type IRModule, type Value } from "../ir/ir-module.js";
import { arrayOf, i32, i64, ptrTo, i8 } from "../ir/ir-types.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import { BPF_NOEXIST, lookupElem, updateElem } from "../maps/map-calls.js";
import { Helper } from "../../contract/helper-ids.js";
import type { ExpressionLowerer } from "./expressions.js";
import type { Operand } from "./arith.js";

/** The maps' names asked for (the manifest has the names they got). */
export const STACK_MAPS = { kernel: "kernel_stacks", user: "user_stacks", userSeen: "user_stacks_seen", userNotices: "user_stack_notices" } as const;
/** BPF_F_USER_STACK: bpf_get_stack walks the user stack. */
const USER_STACK = 1n << 8n;
/** A stack's frames as bpf_get_stack copies them: STACK_DEPTH addresses, the unused ones 0. */
const FRAMES_BYTES = STACK_DEPTH * 8;
/** Process and stack pairs remembered as told (LRU: one forgotten is told again, which costs user space a check). */
const SEEN = 16384;
/** The notices' ring buffer: 4096 notices of 16 bytes (8 of header) before user space reads them. */
const NOTICES_BYTES = 64 * 1024;
/** BPF_RB_NO_WAKEUP: user space reads the notices on a timer, so no wake-up is paid for. */
const NO_WAKEUP = 1n;
/** The errors a stack that was not recorded has for its id (negated), as user space reads them. */
const EFAULT = 14n;
const EEXIST = 17n;

export class StackTraces {
  /** The hash of stacks (the frames) to their ids. */
  readonly ref: Value;
  /** A per-CPU array of one u32: each CPU's count of the ids it gave. */
  readonly nextId: Value;
  /** The hash of the ids given (to u8 0): an id is given to whoever inserts it first. */
  readonly ids: Value;
  /** ustack()'s: the pairs already told (an LRU hash), and the ring buffer that tells user space of new ones. */
  readonly notices?: { seen: Value; ring: Value; ringName: string };
  /** The maps' names in the object: the names asked for, or made unique beside the probe's own maps. */
  readonly names: StackTableMaps;

  constructor(m: IRModule, debug: DebugInfo, name: string, notices?: { seen: string; ring: string }) {
    const u32 = debug.basicType("unsigned int", 32, "unsigned");
    const u64 = debug.basicType("unsigned long long", 64, "unsigned");
    const u8 = debug.basicType("unsigned char", 8, "unsigned_char");
    this.names = { stacks: m.uniqueName(name), nextId: m.uniqueName(`${name}_next_id`) };
    const map = new BtfMap(m, debug, this.names.stacks);
    map.define({ type: MapType.hash, maxEntries: STACK_ENTRIES, key: { ir: arrayOf(STACK_DEPTH, i64), btf: debug.arrayType(u64, STACK_DEPTH) }, value: { ir: i32, btf: u32 }, line: 1 });
    this.ref = map.ref;
    const counter = new BtfMap(m, debug, this.names.nextId);
    counter.define({ type: MapType.percpuArray, maxEntries: 1, key: { ir: i32, btf: u32 }, value: { ir: i32, btf: u32 }, line: 1 });
    this.nextId = counter.ref;
    // An id is given once a stack's insert is tried: one the hash then refuses (full, or the stack
    // inserted by another CPU meanwhile) stays given, so there is room for as many again.
    const ids = new BtfMap(m, debug, m.uniqueName(`${name}_ids`));
    ids.define({ type: MapType.hash, maxEntries: 2 * STACK_ENTRIES, key: { ir: i32, btf: u32 }, value: { ir: i8, btf: u8 }, line: 1 });
    this.ids = ids.ref;
    if (!notices) return;
    const seen = new BtfMap(m, debug, m.uniqueName(notices.seen));
    seen.define({ type: MapType.lruHash, maxEntries: SEEN, key: { ir: i64, btf: u64 }, value: { ir: i8, btf: u8 }, line: 1 });
    const ringName = m.uniqueName(notices.ring);
    const ring = new BtfMap(m, debug, ringName);
    ring.define({ type: MapType.ringbuf, maxEntries: NOTICES_BYTES, line: 1 });
    this.notices = { seen: seen.ref, ring: ring.ref, ringName };
  }
}

/** The manifest's names of the stack maps a module declares. */
export function stackMapsOf(stacks: { kernel?: StackTraces; user?: StackTraces }): StackMaps | undefined {
  if (!stacks.kernel && !stacks.user) return undefined;
  return { ...(stacks.kernel && { kernel: stacks.kernel.names }), ...(stacks.user && { user: stacks.user.names }), ...(stacks.user?.notices && { userNotices: stacks.user.notices.ringName }) };
}

/** Where each program copies its stacks' frames: one region of its scratch buffer, shared by its calls (each is done with it before the next). */
const framesRegion = new WeakMap<object, { base: Value; offset: number }>();

/**
 * `kstack()`: the kernel stack's id (negative, an error number, when none was recorded: -EFAULT
 * when the CPU ran user code). `ustack()`: the user stack's, or the error as a 32-bit number,
 * with the process's id in the high 32 bits (user space needs it to read the process's mappings).
 */
export function lowerStack(l: ExpressionLowerer, call: TS.CallExpression, stacks: StackTraces, user: boolean, type: Operand["type"]): Operand {
  const name = user ? "ustack" : "kstack";
  if (!l.context || !l.scratch)
    throw errorAt(call, Codes.unsupportedSyntax, `${name}() is called from a program's handler, not from a function`, `the helper needs the program's context: call ${name}() in the handler and pass the id on`);
  const b = l.b;
  let region = framesRegion.get(l.fn);
  if (!region) framesRegion.set(l.fn, (region = l.scratch(FRAMES_BYTES, 8, call, `${name}()'s frames`)));
  const id = stackId(l, stacks, b.byteOffset(region.base, region.offset, i8), user);
  if (!user) return { value: id, type };
  const none = b.icmp("slt", id, constInt(i64, 0));
  // An id is below 2^31, an error negative: its low 32 bits say which (userStackId).
  const tgid = b.binary("and", b.callHelper(Helper.getCurrentPidTgid, i64, []), constInt(i64, 0xffffffff00000000n));
  const value = b.binary("or", tgid, b.binary("and", id, constInt(i64, 0xffffffffn)));
  if (stacks.notices) tellIfNew(l, stacks.notices, none, value);
  return { value, type };
}

/**
 * The id of the stack of this moment, or a negative error number: bpf_get_stack's own; -EFAULT
 * for an empty stack (a kernel stack while the CPU ran user code, a user stack of a kernel
 * thread); bpf_map_update_elem's when a hash is full (-E2BIG). Two CPUs that meet the same new
 * stack at once both take an id; the hash keeps the first, and the second then reads it.
 */
function stackId(l: ExpressionLowerer, stacks: StackTraces, frames: Value, user: boolean): Value {
  const b = l.b;
  const result = l.fn.alloca(i64, 8);
  /** The id an entry of the hash holds, as the result. */
  const keepId = (entry: Value) => b.store(b.cast("zext", b.load(b.cast("bitcast", entry, ptrTo(i32)), 4), i64), result, 8);
  const copied = l.fn.newBlock("stack.copied");
  const known = l.fn.newBlock("stack.known");
  const fresh = l.fn.newBlock("stack.new");
  const raced = l.fn.newBlock("stack.raced");
  const done = l.fn.newBlock("stack.done");

  const size = b.callHelper(Helper.getStack, i64, [b.cast("bitcast", l.context!.pointer, ptrTo(i8)), frames, constInt(i64, BigInt(FRAMES_BYTES)), constInt(i64, user ? USER_STACK : 0n)]);
  // bpf_get_stack's error, or -EFAULT for no frames at all.
  b.store(b.select(b.icmp("eq", size, constInt(i64, 0)), constInt(i64, -EFAULT), size), result, 8);
  b.condBr(b.icmp("sgt", size, constInt(i64, 0)), copied, done);

  b.positionAt(copied);
  const found = lookupElem(b, stacks.ref, frames);
  b.condBr(b.icmp("ne", found, nullPointer), known, fresh);

  b.positionAt(known);
  keepId(found);
  b.br(done);

  b.positionAt(fresh);
  const id = claimId(l, stacks, result, done);
  const added = updateElem(b, stacks.ref, frames, id, BPF_NOEXIST);
  b.store(b.select(b.icmp("eq", added, constInt(i64, 0)), b.cast("zext", b.load(id, 4), i64), added), result, 8);
  b.condBr(b.icmp("eq", added, constInt(i64, -EEXIST)), raced, done);

  b.positionAt(raced);
  const theirs = lookupElem(b, stacks.ref, frames);
  const present = l.fn.newBlock("stack.theirs");
  b.condBr(b.icmp("ne", theirs, nullPointer), present, done);
  b.positionAt(present);
  keepId(theirs);
  b.br(done);

  b.positionAt(done);
  return b.load(result, 8);
}

/** Tries at an id before giving up: a try fails only when a program that interrupted this one on its CPU took the same id. */
const CLAIM_TRIES = 3;
/** An id is the CPU's number (11 bits) then its counter's (20): below 2^31, never negative in 32 bits. */
const CPU_SHIFT = BigInt(STACK_ID_COUNT_BITS);
const CPU_MASK = BigInt(STACK_ID_CPU_MASK);
const COUNT_MASK = (1n << CPU_SHIFT) - 1n;

/**
 * A new id, in a stack slot, unique among the probe's: each CPU counts its own (a per-CPU
 * counter, its number in the high bits), and the id is claimed by a BPF_NOEXIST insert into the
 * hash of ids given, which succeeds for one claimant only, so a program that interrupted this
 * one between its read and write of the counter cannot give the same id twice. Needs no atomic
 * instruction (none returns the old value before cpu v3 and Linux 5.12). On failure, stores the
 * error in `result` and branches to `done`.
 */
function claimId(l: ExpressionLowerer, stacks: StackTraces, result: Value, done: Block): Value {
  const b = l.b;
  const zero = l.fn.slotFor("stack.zero", i32, 4);
  const claimed = l.fn.slotFor("stack.claimed", i8, 1);
  const id = l.fn.slotFor("stack.id", i32, 4);
  b.store(constInt(i32, 0), zero, 4);
  b.store(constInt(i8, 0), claimed, 1);
  const counter = lookupElem(b, stacks.nextId, zero);
  b.store(constInt(i64, -EFAULT), result, 8); // an array's one element is always there: never taken
  const counting = l.fn.newBlock("stack.count");
  b.condBr(b.icmp("ne", counter, nullPointer), counting, done);

  b.positionAt(counting);
  const count = b.cast("bitcast", counter, ptrTo(i32));
  const cpu = b.binary("shl", b.binary("and", b.callHelper(Helper.getSmpProcessorId, i64, []), constInt(i64, CPU_MASK)), constInt(i64, CPU_SHIFT));
  const mine = l.fn.newBlock("stack.claimed");
  for (let attempt = 0; attempt < CLAIM_TRIES; attempt++) {
    const next = b.load(count, 4);
    b.store(b.binary("add", next, constInt(i32, 1)), count, 4);
    b.store(b.cast("trunc", b.binary("or", cpu, b.binary("and", b.cast("zext", next, i64), constInt(i64, COUNT_MASK))), i32), id, 4);
    const taken = updateElem(b, stacks.ids, id, claimed, BPF_NOEXIST);
    b.store(taken, result, 8);
    const again = attempt + 1 < CLAIM_TRIES ? l.fn.newBlock("stack.again") : done;
    const refused = l.fn.newBlock("stack.refused");
    b.condBr(b.icmp("eq", taken, constInt(i64, 0)), mine, refused);
    b.positionAt(refused);
    b.condBr(b.icmp("eq", taken, constInt(i64, -EEXIST)), again, done);
    if (again !== done) b.positionAt(again);
  }
  b.positionAt(mine);
  return id;
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
  const inserted = updateElem(b, notices.seen, key, told, BPF_NOEXIST);
  b.condBr(b.icmp("eq", inserted, constInt(i64, 0)), tell, done);

  b.positionAt(tell);
  b.callHelper(Helper.ringbufOutput, i64, [b.cast("bitcast", notices.ring, ptrTo(i8)), b.cast("bitcast", key, ptrTo(i8)), constInt(i64, 8), constInt(i64, NO_WAKEUP)]);
  b.br(done);

  b.positionAt(done);
}
