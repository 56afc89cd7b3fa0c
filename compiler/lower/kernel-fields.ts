// Kernel struct fields read through a pointer: `task.real_parent.tgid`, `file.f_path.dentry`
// (D131). Each step is a CO-RE access (llvm.preserve.*.access.index): the BPF backend records it
// as a relocation, and libbpf moves it at load to where the running kernel has the field, found
// by name in the kernel's BTF. The last step's bytes are copied with bpf_probe_read_kernel, as
// libbpf's BPF_CORE_READ does: a pointer read from a field may be null or stale, and the helper
// then gives zeroes where a load would fault.

import type * as TS from "typescript";
import { sizeOf } from "../../contract/c-layout.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { isAggregate, kernelStructType, kernelStructValue, probeTypeOf, stdlibAlias, typeAt, type KernelStructType, type PtrType } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i32, i64, i8, ptrTo } from "../ir/ir-types.js";
import { allocate } from "./aggregate-storage.js";
import { irTypeOf, type Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";
import { Helper } from "../../contract/helper-ids.js";
import type { LocalMember } from "./kernel-local-types.js";

/** Where a kernel struct's field is: its address (a CO-RE access), and what it is. */
interface FieldPlace {
  address: Value;
  member: LocalMember;
  container: KernelStructType;
  /** Reached from a pointer the verifier knows the type of (BTF): a load reads it. */
  typed: boolean;
}

/** `base.field` where base is a kernel struct pointer (or a struct inside one); undefined otherwise. */
export function kernelFieldRead(l: ExpressionLowerer, e: TS.PropertyAccessExpression): Operand | undefined {
  const place = kernelFieldPlace(l, e);
  if (!place) return undefined;
  const embedded = kernelStructType(l.p, l.p.checker.getTypeAtLocation(e));
  if (embedded) throw kernelStructValue(e, embedded);
  const { member, container } = place;
  if (member.bitfield) throw errorAt(e.name, Codes.kernelStructUse, `${container.name}.${e.name.text} is a bitfield, which probe code cannot read yet`, "read the whole word it sits in with readKernel at its offset (see the field's doc comment)");
  const type = typeAt(l.p, e);
  if (type.kind === "void" || type.kind === "optional" || sizeOf(type) !== member.size)
    throw errorAt(e.name, Codes.unsupportedType, `${container.name}.${e.name.text} is ${member.size} bytes in the kernel's BTF, which its declared type does not match`, "regenerate the kernel's declarations (`tsbpf types`) for this kernel");
  // Through a pointer the kernel typed (a tp_btf or fentry argument, and the pointers read from
  // it), the verifier allows a load and makes a fault read zero, as the helper does.
  if (place.typed && !isAggregate(type)) return { value: l.b.load(l.b.cast("bitcast", place.address, ptrTo(irTypeOf(type))), member.size), type };
  const source = l.b.cast("bitcast", place.address, ptrTo(i8));
  if (isAggregate(type)) {
    const storage = allocate(l, type, e);
    l.b.callHelper(Helper.probeReadKernel, i64, [storage, constInt(i32, member.size), source]);
    return { value: storage, type };
  }
  const slot = l.fn.alloca(irTypeOf(type), 8);
  l.b.callHelper(Helper.probeReadKernel, i64, [l.b.cast("bitcast", slot, ptrTo(i8)), constInt(i32, member.size), source]);
  return { value: l.b.load(slot), type };
}

/** `fieldExists(task.field)`: whether the running kernel has the field (CO-RE field existence). */
export function kernelFieldExists(l: ExpressionLowerer, call: TS.CallExpression): Operand {
  const arg = call.arguments[0];
  const place = arg && l.p.ts.isPropertyAccessExpression(arg) ? kernelFieldPlace(l, arg) : undefined;
  if (!place) throw errorAt(arg ?? call, Codes.kernelStructUse, "fieldExists takes a kernel struct's field, read through a pointer", "e.g. fieldExists(task.loginuid)");
  const exists = l.b.fieldInfo(place.address, FIELD_EXISTS);
  return { value: l.b.icmp("ne", exists, constInt(i32, 0)), type: { kind: "bool" } };
}

/** `typeSize<T>()`: T's size on the running kernel (CO-RE type size). */
export function kernelTypeSize(l: ExpressionLowerer, call: TS.CallExpression): Operand {
  const arg = call.typeArguments?.[0];
  const t = arg && kernelStructType(l.p, l.p.checker.getTypeFromTypeNode(arg));
  if (!t) throw errorAt(arg ?? call, Codes.kernelStructUse, "typeSize takes a kernel struct or union as its type argument", 'e.g. typeSize<task_struct>(), with task_struct imported from "tsbpf/kernel"');
  const local = l.ml.kernelTypes.container(t.btfId);
  return { value: l.b.typeInfo(local.debugType, l.ml.kernelTypes.nextSequence(), TYPE_SIZE), type: { kind: "int", bits: 32, signed: false, name: "u32" } };
}

/** `enumValueExists(E.M)`, `enumValue(E.M)`: a kernel enum's member as the running kernel has it (CO-RE enum value). */
export function kernelEnumValue(l: ExpressionLowerer, call: TS.CallExpression, kind: "exists" | "value"): Operand {
  const { p } = l;
  const arg = call.arguments[0];
  const value = arg && p.ts.isPropertyAccessExpression(arg) ? p.checker.getConstantValue(arg) : undefined;
  const named = arg && p.ts.isPropertyAccessExpression(arg) ? p.symbolAt(arg.expression) : undefined;
  const enumSymbol = named && named.flags & p.ts.SymbolFlags.Alias ? p.checker.getAliasedSymbol(named) : named; // imported: the import's symbol first
  const btfId = enumSymbol?.flags && enumSymbol.flags & p.ts.SymbolFlags.ConstEnum ? p.kernel?.composites.get(enumSymbol.name) : undefined;
  if (typeof value !== "number" || btfId === undefined || !p.ts.isPropertyAccessExpression(arg))
    throw errorAt(arg ?? call, Codes.kernelStructUse, `${kind === "exists" ? "enumValueExists" : "enumValue"} takes a member of a kernel enum`, 'e.g. enumValueExists(bpf_func_id.BPF_FUNC_loop), with the enum imported from "tsbpf/kernel"');
  const types = l.ml.kernelTypes;
  const name = l.ml.m.addCString(l.ml.m.uniqueName("core_enum"), `${arg.name.text}:${value}`).ptr;
  const info = l.b.enumValueInfo(types.debugTypeOf(btfId).ref, types.nextSequence(), name, kind === "exists" ? ENUMVAL_EXISTS : ENUMVAL_VALUE);
  if (kind === "value") return { value: info, type: { kind: "int", bits: 64, signed: true, name: "i64" } };
  return { value: l.b.icmp("ne", info, constInt(i64, 0)), type: { kind: "bool" } };
}

/**
 * The intrinsics' flags, as clang's __builtin_preserve_{field,type}_info and
 * __builtin_preserve_enum_value take them (not libbpf's relocation kinds: an enum's are 0 and 1
 * here, 10 and 11 there; a flag LLVM does not know is a fatal error that ends the process).
 */
const FIELD_EXISTS = 2;
const TYPE_SIZE = 1;
const ENUMVAL_EXISTS = 0;
const ENUMVAL_VALUE = 1;

function kernelFieldPlace(l: ExpressionLowerer, e: TS.PropertyAccessExpression): FieldPlace | undefined {
  const { p } = l;
  const baseType = p.checker.getTypeAtLocation(e.expression);
  let container = kernelStructType(p, baseType);
  let base: Value;
  let typed: boolean;
  if (container) {
    // A struct inside a kernel struct (`file.f_path`): only ever reached through its parent.
    const parent = p.ts.isPropertyAccessExpression(e.expression) ? kernelFieldPlace(l, e.expression) : undefined;
    if (!parent) throw kernelStructValue(e.expression, container);
    base = parent.address;
    typed = parent.typed;
  } else {
    if (stdlibAlias(baseType) !== "Ptr" && stdlibAlias(baseType) !== "UserPtr") return undefined;
    const ptr = probeTypeOf(p, baseType, e.expression) as PtrType;
    if (ptr.to.kind !== "kstruct") return undefined;
    container = ptr.to;
    if (ptr.space === "user") throw errorAt(e, Codes.kernelStructUse, `a UserPtr<${container.name}> points into a process's memory, whose fields CO-RE does not read`, "read the whole struct with readUser, or declare it as a probe interface");
    base = l.expression(e.expression).value;
    typed = typedByBtf(l, e.expression);
  }
  const local = l.ml.kernelTypes.container(container.btfId);
  const member = l.ml.kernelTypes.member(container.btfId, e.name.text);
  if (!member) throw errorAt(e.name, Codes.unknownKernelName, `the kernel's ${container.name} has no field '${e.name.text}'`);
  const structPtr = base.type.kind === "int" ? l.b.cast("inttoptr", base, ptrTo(local.type)) : l.b.cast("bitcast", base, ptrTo(local.type));
  return { address: l.b.preserveAccess(structPtr, local, member.index, member.irType), member, container, typed };
}

/**
 * Whether the pointer `e` evaluates to is one the verifier knows the BTF type of: a tp_btf
 * argument (`ctx.next`), a trampoline's argument (fentry's parameters, never assigned), or a
 * pointer field loaded through one (`ctx.next.mm`). Anything else (a map's value, currentTask(),
 * a kprobe's argument) is a number to it, read through the helper.
 */
function typedByBtf(l: ExpressionLowerer, e: TS.Expression): boolean {
  const { ts } = l.p;
  if (ts.isParenthesizedExpression(e)) return typedByBtf(l, e.expression);
  if (ts.isIdentifier(e)) {
    const symbol = l.p.symbolAt(e);
    return symbol !== undefined && l.btfTypedParameters.has(symbol);
  }
  if (!ts.isPropertyAccessExpression(e)) return false;
  const ctx = l.context;
  if (ctx?.btfTyped && ctx.arguments?.has(e.name.text) && ts.isIdentifier(e.expression) && l.p.symbolAt(e.expression) === ctx.symbol) return true;
  const base = l.p.checker.getTypeAtLocation(e.expression);
  const throughKernelStruct = kernelStructType(l.p, base) !== undefined || (stdlibAlias(base) === "Ptr" && (probeTypeOf(l.p, base, e.expression) as PtrType).to.kind === "kstruct");
  return throughKernelStruct && typedByBtf(l, e.expression);
}
