// The debug (BTF) type of each probe type: the author's interfaces as named C structs with their
// members at the compiler's offsets, FixedArray<T, N> as T[N], Str<N> as char[N], so that
// `bpftool btf dump` shows the probe's types and `bpftool map dump` prints values field by field.

import type { AggregateType, ProbeType, StructType } from "../frontend/probe-types.js";
import { isAggregate } from "../frontend/probe-types.js";
import { structLayout } from "../../contract/c-layout.js";
import type { DebugInfo, DebugTypeRef } from "../ir/debug-info.js";
import { cIdentifier } from "../ir/ir-module.js";
import { UniqueNames, uniqueWithin } from "../ir/unique-names.js";

/** The frontend's name for an object type that has none (an object literal type). */
const ANONYMOUS = "anonymous";

export class BtfTypes {
  private readonly scalars = new Map<string, DebugTypeRef>();
  /** One BTF type per layout: the frontend gives each TypeScript type one layout object. */
  private readonly aggregates = new Map<AggregateType, DebugTypeRef>();
  /** Struct names given so far: two layouts of one name (`Pair<u8>`, `Pair<u32>`) get `Pair`, `Pair_1`. */
  private readonly structNames = new UniqueNames();

  constructor(private readonly debug: DebugInfo) {}

  /** `cName` names a C type the compiler needs in place of `t`'s own ("char", "int"). */
  of(t: ProbeType, cName?: string): DebugTypeRef {
    if (isAggregate(t)) return this.aggregate(t);
    const key = cName ?? (t.kind === "int" ? t.name : t.kind);
    let d = this.scalars.get(key);
    if (!d) {
      if (t.kind === "int") d = this.debug.basicType(key, t.bits, cName === "char" ? "signed_char" : t.signed ? "signed" : "unsigned");
      else if (t.kind === "bool") d = this.debug.basicType("bool", 8, "boolean");
      // An address in kernel or user memory, read only through helpers: `void *` says "an
      // address" (bpftool prints it in hex) without claiming a layout for memory the probe
      // does not own (D60).
      else if (t.kind === "ptr") d = this.debug.pointerType(null);
      else throw new Error(`no debug type for ${t.kind}`);
      this.scalars.set(key, d);
    }
    return d;
  }

  /** A function parameter's or result's type: an aggregate is passed by reference, a pointer to it. */
  passed(t: ProbeType): DebugTypeRef {
    return isAggregate(t) ? this.debug.pointerType(this.aggregate(t)) : this.of(t);
  }

  /** A struct of the compiler's own (the parameters'): no author's struct takes its name. */
  compilerStruct(name: string, line: number, sizeBits: number, members: Parameters<DebugInfo["structType"]>[3]): DebugTypeRef {
    return this.debug.structType(this.structNames.take(name), line, sizeBits, members);
  }

  private aggregate(t: AggregateType): DebugTypeRef {
    let d = this.aggregates.get(t);
    if (!d) {
      if (t.kind === "str") d = this.debug.arrayType(this.of({ kind: "int", bits: 8, signed: true, name: "char" }, "char"), t.length);
      else if (t.kind === "array") d = this.debug.arrayType(this.of(t.elem), t.length);
      else d = this.struct(t);
      this.aggregates.set(t, d);
    }
    return d;
  }

  private struct(t: StructType): DebugTypeRef {
    const memberNames = uniqueWithin(t.fields.map((f) => cIdentifier(f.name)));
    const { offsets, size } = structLayout(t);
    const members = t.fields.map((f, i) => ({ name: memberNames[i], type: this.of(f.type), offsetBits: offsets[i] * 8 }));
    return this.debug.structType(this.structName(t), 0, size * 8, members);
  }

  private structName(t: StructType): string | undefined {
    if (t.name === ANONYMOUS) return undefined;
    return this.structNames.take(cIdentifier(t.name));
  }
}
