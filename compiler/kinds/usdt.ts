// usdt("binary:provider:name", (a: i32, s: UserPtr<u8>, …) => …): SEC("usdt/binary:provider:name"),
// a uprobe on each site of a USDT probe (sys/sdt.h's STAP_PROBE). The handler's parameters are the
// probe's arguments, each declared by the author as for a uprobe (user code has no BTF; the
// runtime checks them against the binary's note, D163), and read as libbpf's usdt.bpf.h reads
// them (contract/usdt-spec.ts, D162): the site's spec in __bpf_usdt_specs at the attach cookie,
// then a constant, a register of struct pt_regs, or user memory at base (+ index × scale) + offset,
// its size and sign applied by shifting. Which sites and specs: runtime/attach/usdt.ts.

import type * as TS from "typescript";
import { structLayout } from "../../contract/c-layout.js";
import { ARG_TYPE_BITS, fieldIndex, USDT_ARG_SPEC, USDT_MAPS, USDT_MAX_ARGS, USDT_MAX_SPECS, USDT_SPEC, UsdtArgKind } from "../../contract/usdt-spec.js";
import { parseUsdtTarget } from "../../contract/usdt-target.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { Codes } from "../frontend/codes.js";
import { INT_TYPES } from "../frontend/probe-types.js";
import { errorAt } from "../frontend/spans.js";
import { constInt, nullPointer, type IRModule, type Value } from "../ir/ir-module.js";
import { arrayOf, i16, i32, i64, i8, ptrTo } from "../ir/ir-types.js";
import type { ExpressionLowerer } from "../lower/expressions.js";
import { Helper } from "../../contract/helper-ids.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import { lookupElem } from "../maps/map-calls.js";
import { TRACING_HELPERS } from "./helper-sets.js";
import { argumentAs, checkArgumentParameters } from "./kernel-function.js";
import type { ProgramKind } from "./program-kind.js";
import { binaryNamedRelatively } from "./uprobe.js";

const TARGET_HINT = 'name the binary by absolute path, a library by short name or a command on PATH, then the probe: "/usr/bin/python3:python:function__entry", "python3:function__entry"';

function usdtTarget(p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node) {
  const example = 'usdt("python3:python:function__entry", (file: UserPtr<u8>, fn: UserPtr<u8>, line: i32) => { … })';
  const [target, extra] = args;
  if (!target || !p.ts.isStringLiteralLike(target))
    throw errorAt(target ?? declaredAt, Codes.badUsdtTarget, 'usdt() needs the probe as a string literal, "binary:provider:name"', `e.g. ${example}`);
  if (extra) throw errorAt(extra, Codes.badUsdtTarget, 'usdt() takes "binary:provider:name", then the handler', `e.g. ${example}`);
  const parsed = parseUsdtTarget(target.text);
  if ("problem" in parsed) throw errorAt(target, Codes.badUsdtTarget, parsed.problem, TARGET_HINT);
  const relative = binaryNamedRelatively(target, parsed.binary, Codes.badUsdtTarget);
  if (relative) throw relative;
  return { target: target.text, section: `usdt/${target.text}`, node: target };
}

/** The two maps usdt.bpf.h declares, defined once per module that has a usdt program. */
const specMaps = new WeakMap<IRModule, Value>();

function specsMap(l: ExpressionLowerer, at: TS.Node): Value {
  const m = l.module;
  let specs = specMaps.get(m);
  if (specs) return specs;
  const define = (name: string, def: Omit<Parameters<BtfMap["define"]>[0], "line">): Value => {
    // libbpf (and tsbpf's runtime) find them by these names: one the probe took is an error.
    const unique = m.uniqueName(name);
    if (unique !== name) throw errorAt(at, Codes.badUsdtTarget, `a usdt program needs a map named '${name}' (libbpf's USDT ABI), and the probe names something so`, `rename the probe's '${name}'`);
    const map = new BtfMap(m, l.ml.debug, name);
    map.define({ ...def, line: 1 });
    return map.ref;
  };
  const int = { ir: i32, btf: l.ml.diType(INT_TYPES.i32, "int") };
  // The value's BTF is its bytes, not struct __bpf_usdt_spec: a later part of a build in parts
  // declares the map, and LLVM 14 gives a declared map's struct value only a forward
  // declaration, which libbpf's linker refuses (the same holds for a probe's struct-valued maps).
  const size = SPEC.size;
  specs = define(USDT_MAPS.specs, { type: MapType.array, maxEntries: USDT_MAX_SPECS, key: int, value: { ir: arrayOf(size, i8), btf: l.ml.diType({ kind: "array", elem: INT_TYPES.u8, length: size }) } });
  // For kernels without attach cookies (before 5.15), where libbpf finds the spec by address;
  // tsbpf's programs read the cookie, so one entry keeps the map's shape at no cost (usdt.bpf.h says so).
  define(USDT_MAPS.ipToSpecId, { type: MapType.hash, maxEntries: 1, key: { ir: i64, btf: l.ml.diType(INT_TYPES.i64, "long") }, value: { ir: i32, btf: l.ml.diType(INT_TYPES.u32, "__u32") } });
  specMaps.set(m, specs);
  return specs;
}

/** Each program's spec (a map value, or null where the cookie names none), looked up once before its parameters are read. */
const programSpecs = new WeakMap<ExpressionLowerer, Value>();

const SPEC = structLayout(USDT_SPEC);
const ARG = structLayout(USDT_ARG_SPEC);
const argField = (name: string): number => ARG.offsets[fieldIndex(USDT_ARG_SPEC, name)];
const specField = (name: string): number => SPEC.offsets[fieldIndex(USDT_SPEC, name)];

/**
 * Argument `index` as 64 bits: usdt.bpf.h's bpf_usdt_arg, 0 where the site has no such argument
 * (the runtime refuses a handler with more parameters than its sites' notes have).
 */
function readArgument(l: ExpressionLowerer, context: Value, spec: Value, index: number): Value {
  const { b, fn } = l;
  const entry = b.block;
  const counted = fn.newBlock("usdt.counted");
  const read = fn.newBlock("usdt.read");
  const fromRegister = fn.newBlock("usdt.register");
  const fromMemory = fn.newBlock("usdt.memory");
  const join = fn.newBlock("usdt.join");
  const done = fn.newBlock("usdt.done");
  b.condBr(b.icmp("ne", spec, nullPointer), counted, done);

  b.positionAt(counted);
  const count = b.load(b.byteOffset(spec, specField("arg_cnt"), i16));
  b.condBr(b.icmp("slt", constInt(i16, index), count), read, done);

  b.positionAt(read);
  const arg = specField("args") + index * ARG.size;
  const field = (name: string, type: typeof i8) => b.load(b.byteOffset(spec, arg + argField(name), type));
  const valOff = field("val_off", i64);
  const argType = field("arg_type", i32);
  const regOff = b.cast("sext", field("reg_off", i16), i64);
  const signed = b.icmp("ne", field("arg_signed", i8), constInt(i8, 0));
  const shift = b.cast("zext", field("arg_bitshift", i8), i64);
  const kind = b.binary("and", argType, constInt(i32, ARG_TYPE_BITS.kind));
  // The registers are read through bpf_probe_read_kernel: the verifier takes no load from the
  // context at an offset it cannot see (usdt.bpf.h does the same). (The cast is made here, in a
  // block before both reads: with typed pointers, LLVM 14, it is an instruction.)
  const slot = fn.slotFor("usdt.word", i64);
  const slotBytes = b.cast("bitcast", slot, ptrTo(i8));
  b.condBr(b.icmp("eq", kind, constInt(i32, UsdtArgKind.constant)), join, fromRegister);

  const word = (helper: number, address: Value): Value => {
    b.callHelper(helper, i64, [slotBytes, constInt(i32, 8), address]);
    return b.load(slot);
  };
  const contextAt = (offset: Value) => b.byteOffset(context, offset, i8);
  b.positionAt(fromRegister);
  const register = word(Helper.probeReadKernel, contextAt(regOff));
  b.condBr(b.icmp("eq", kind, constInt(i32, UsdtArgKind.register)), join, fromMemory);

  b.positionAt(fromMemory);
  const field32 = (shiftBy: number, mask: number) => b.cast("zext", b.binary("and", b.binary("lshr", argType, constInt(i32, shiftBy)), constInt(i32, mask)), i64);
  const indexRegister = word(Helper.probeReadKernel, contextAt(field32(ARG_TYPE_BITS.indexShift, ARG_TYPE_BITS.indexMask)));
  const scaled = b.binary("shl", indexRegister, field32(ARG_TYPE_BITS.scaleShift, ARG_TYPE_BITS.scaleMask));
  const indexed = b.select(b.icmp("eq", kind, constInt(i32, UsdtArgKind.indexed)), scaled, constInt(i64, 0));
  const address = b.binary("add", b.binary("add", register, valOff), indexed);
  const memory = word(Helper.probeReadUser, b.cast("inttoptr", address, ptrTo(i8)));
  const memoryEnd = b.block;
  b.br(join);

  b.positionAt(join);
  const raw = b.phi(i64, [
    [valOff, read],
    [register, fromRegister],
    [memory, memoryEnd],
  ]);
  // The size: the bits above it cleared, or filled with the sign.
  const high = b.binary("shl", raw, shift);
  const value = b.select(signed, b.binary("ashr", high, shift), b.binary("lshr", high, shift));
  b.br(done);

  b.positionAt(done);
  return b.phi(i64, [
    [constInt(i64, 0), entry],
    [constInt(i64, 0), counted],
    [value, join],
  ]);
}

export const usdtKind: ProgramKind = {
  name: "usdt",
  target: usdtTarget,
  returns: "ignored",
  helpers: TRACING_HELPERS,
  parameters: {
    check: (p, handler, target) =>
      checkArgumentParameters(p, handler, target, {
        kind: "usdt",
        max: USDT_MAX_ARGS,
        tooMany: `libbpf's USDT support reads at most ${USDT_MAX_ARGS} arguments`,
        untypedWhy: "user code has no BTF, so tsbpf types a USDT probe's arguments as the handler declares them",
        untypedHint: "declare each argument's type as the probe's note has it (`tsbpf list usdt:BINARY:PROBE` shows them: -4@%eax is an i32, 8@%rdi a u64 or a UserPtr<T>)",
        whose: "a USDT probe's",
      }),
    prepare(l, context, handler) {
      const specs = specsMap(l, handler);
      if (!handler.parameters.length) return;
      const b = l.b;
      const key = l.fn.slotFor("usdt.spec_id", i32);
      b.store(b.cast("trunc", b.callHelper(Helper.getAttachCookie, i64, [b.cast("bitcast", context, ptrTo(i8))]), i32), key);
      programSpecs.set(l, lookupElem(b, specs, key));
    },
    lower: (l, context, index, type) => argumentAs(l, readArgument(l, context, programSpecs.get(l)!, index), type),
    manifest: true,
  },
};
