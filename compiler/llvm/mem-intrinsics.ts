// The BPF backend expands memset, memcpy and memmove into loads and stores, but only up to 128
// stores (of the width the pointers' alignment allows) and only for a constant size; past that
// it emits a call to the C library's function, which BPF does not have ("A call to built-in
// function 'memset' is not supported"). Lowering writes only small, aligned ones, but O2 merges
// neighbours (two zeroed buffers side by side in the scratch map, a run of equal stores) into
// larger ones. So after O2 every remaining call is checked, and one the backend cannot expand is
// rewritten as bpftrace does (D45): zeroing and copying become bpf_probe_read_kernel, which copies
// from a kernel address (the stack and map values are) and zeroes the destination when the read
// fails (from NULL it always does); a large memset of another byte becomes several small ones.

import { Helper } from "../../contract/helper-ids.js";
import type { LibLLVM } from "./libllvm.js";
import type { LLVMDiagnostic } from "./llvm-errors.js";

/** BPFSelectionDAGInfo::getCommonMaxStoresPerMemFunc(): the backend's limit per call. */
const MAX_STORES = 128;

/** LLVMAttributeIndex of a call's first argument (0 is the result). */
const FIRST_ARGUMENT = 1;

/**
 * How many stores the backend needs for `size` bytes at `align`: words of the widest width
 * the alignment allows (at most 8 bytes), then one store per power of two in the rest.
 */
export function storesFor(size: number, align: number): number {
  const width = Math.min(8, Math.max(1, align));
  let rest = size % width;
  let stores = Math.floor(size / width);
  for (; rest; rest &= rest - 1) stores++;
  return stores;
}

type Kind = "memset" | "memcpy" | "memmove";

/** Rewrites the memory intrinsic calls in `mod` that the BPF backend cannot expand. */
export function legalizeMemoryIntrinsics(llvm: LibLLVM, ctx: bigint, mod: bigint, errors: LLVMDiagnostic[]): void {
  const f = llvm.fn;
  let rewriter: Rewriter | undefined;
  for (let fn = f.firstFunction(mod); fn; fn = f.nextFunction(fn)) {
    const kind = /^llvm\.(memset|memcpy|memmove)\.p/.exec(f.valueName(fn, [0]))?.[1] as Kind | undefined;
    if (!kind) continue; // the `.inline` variants are always expanded
    const calls: bigint[] = [];
    for (let use = f.firstUse(fn); use; use = f.nextUse(use)) {
      const user = f.user(use);
      if (f.calledValue(user) === fn) calls.push(user);
    }
    for (const call of calls) {
      rewriter ??= new Rewriter(llvm, ctx);
      rewriter.legalize(call, fn, kind, errors);
    }
  }
  rewriter?.dispose();
}

class Rewriter {
  private readonly builder: bigint;
  private readonly alignKind: number;
  private readonly i32: bigint;

  constructor(
    private readonly llvm: LibLLVM,
    private readonly ctx: bigint,
  ) {
    this.builder = llvm.fn.createBuilder(ctx);
    this.alignKind = llvm.fn.enumAttributeKind("align", 5);
    this.i32 = llvm.fn.int32Type(ctx);
  }

  dispose(): void {
    this.llvm.fn.disposeBuilder(this.builder);
  }

  /** Leaves `call` (to the intrinsic `intrinsic`) alone if the backend expands it, else rewrites it. */
  legalize(call: bigint, intrinsic: bigint, kind: Kind, errors: LLVMDiagnostic[]): void {
    const f = this.llvm.fn;
    const [dst, valueOrSrc, sizeValue] = [0, 1, 2].map((i) => f.operand(call, i));
    const align = Math.min(this.alignOf(call, 0), kind === "memset" ? 8 : this.alignOf(call, 1));
    const size = f.isConstantInt(sizeValue) ? Number(f.constIntValue(sizeValue)) : undefined;
    if (size !== undefined && storesFor(size, align) <= MAX_STORES) return;
    f.positionBefore(this.builder, call);
    const zeroing = kind === "memset" && f.isConstantInt(valueOrSrc) && Number(f.constIntValue(valueOrSrc)) === 0;
    if (kind === "memcpy" || zeroing) {
      const source = zeroing ? f.constNull(f.typeOf(dst)) : valueOrSrc;
      this.probeReadKernel(call, dst, sizeValue, size, source);
    } else if (kind === "memset" && size !== undefined) {
      this.splitMemset(call, intrinsic, dst, valueOrSrc, sizeValue, size, align);
    } else {
      errors.push(this.unsupported(call, kind, size));
      return;
    }
    f.eraseInstruction(call);
  }

  /** The alignment a call's pointer argument is known to have (1 if none is stated). */
  private alignOf(call: bigint, argument: number): number {
    const attr = this.llvm.fn.callSiteEnumAttribute(call, FIRST_ARGUMENT + argument, this.alignKind);
    return attr ? Number(this.llvm.fn.enumAttributeValue(attr)) : 1;
  }

  /** bpf_probe_read_kernel(dst, size, src), where `call` was. */
  private probeReadKernel(call: bigint, dst: bigint, sizeValue: bigint, size: number | undefined, src: bigint): void {
    const f = this.llvm.fn;
    const ptr = f.typeOf(dst);
    const i64 = f.int64Type(this.ctx);
    const type = f.functionType(i64, [ptr, this.i32, f.typeOf(src)], 3, 0);
    const helper = f.constIntToPtr(f.constInt(i64, BigInt(Helper.probeReadKernel), 0), f.pointerType(type, 0));
    const size32 = size !== undefined ? f.constInt(this.i32, BigInt(size), 0) : f.buildTrunc(this.builder, sizeValue, this.i32, "");
    this.located(call, f.buildCall(this.builder, type, helper, [dst, size32, src], 3, ""));
  }

  /** Several memsets of at most MAX_STORES stores each, at `align`. */
  private splitMemset(call: bigint, intrinsic: bigint, dst: bigint, byte: bigint, sizeValue: bigint, size: number, align: number): void {
    const f = this.llvm.fn;
    const width = Math.min(8, align);
    const chunk = MAX_STORES * width;
    const i8 = f.int8Type(this.ctx);
    const i64 = f.int64Type(this.ctx);
    const type = f.globalValueType(intrinsic);
    const volatile = f.operand(call, 3);
    for (let offset = 0; offset < size; offset += chunk) {
      const at = offset ? f.buildGEP(this.builder, i8, dst, [f.constInt(i64, BigInt(offset), 0)], 1, "") : dst;
      const length = f.constInt(f.typeOf(sizeValue), BigInt(Math.min(chunk, size - offset)), 0);
      const piece = f.buildCall(this.builder, type, intrinsic, [at, byte, length, volatile], 4, "");
      f.addCallSiteAttribute(piece, FIRST_ARGUMENT, f.createEnumAttribute(this.ctx, this.alignKind, BigInt(width)));
      this.located(call, piece);
    }
  }

  /** Gives `replacement` the source location of `call`: line info for the verifier's log. */
  private located(call: bigint, replacement: bigint): void {
    this.llvm.fn.setDebugLocation(replacement, this.llvm.fn.debugLocation(call));
  }

  private unsupported(call: bigint, kind: Kind, size: number | undefined): LLVMDiagnostic {
    const f = this.llvm.fn;
    const line = f.debugLine(call);
    const what = kind === "memmove" ? `a copy of ${size ?? "a variable number of"} bytes between places that may overlap` : `a ${kind} of a variable number of bytes`;
    return {
      message: `${what} is more than BPF can do in one step`,
      function: f.valueName(f.blockFunction(f.instructionBlock(call)), [0]),
      ...(line ? { line, column: Math.max(1, f.debugColumn(call)) } : {}),
    };
  }
}
