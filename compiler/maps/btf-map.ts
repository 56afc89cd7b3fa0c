// The one place a BPF map is defined in the object: a global in the `.maps` section whose BTF
// type says what the map is, as libbpf reads it (a struct of `int (*type)[BPF_MAP_TYPE_…]`,
// `int (*max_entries)[N]`, `K *key`, `V *value`, `int (*map_flags)[F]`: libbpf's __uint and
// __type). The global may be referred to before it is defined (a scratch map's size is known
// only after its program is lowered).

import type { DebugInfo, DebugTypeRef } from "../ir/debug-info.js";
import type { IRModule, Value } from "../ir/ir-module.js";
import { arrayOf, i32, ptrTo, type IRType } from "../ir/ir-types.js";

/** BPF_MAP_TYPE_* (include/uapi/linux/bpf.h, enum bpf_map_type). */
export const MapType = {
  hash: 1,
  array: 2,
  perfEventArray: 4,
  percpuHash: 5,
  percpuArray: 6,
  stackTrace: 7,
  lruHash: 9,
  lruPercpuHash: 10,
  ringbuf: 27,
} as const;

export interface BtfMapDefinition {
  type: number;
  maxEntries: number;
  /** None for a ring buffer: the kernel refuses a key or value size for one. */
  key?: { ir: IRType; btf: DebugTypeRef };
  value?: { ir: IRType; btf: DebugTypeRef };
  flags?: number;
  /** The probe's line that declares it (1 for the compiler's own). */
  line: number;
}

export class BtfMap {
  /** The map's global, for bpf_map_* helpers' first argument. */
  readonly ref: Value;
  private readonly typeName: string;

  /** `name` must be unique in the module: the object's symbol, and the map's name in libbpf. */
  constructor(
    private readonly m: IRModule,
    private readonly debug: DebugInfo,
    readonly name: string,
  ) {
    this.typeName = `${name}.def`;
    this.ref = m.reserveGlobal(name, m.namedType(this.typeName));
  }

  define(def: BtfMapDefinition): void {
    const d = this.debug;
    const int = d.basicType("int", 32, "signed");
    // __uint(name, n): a pointer to an array of n ints, whose count carries the number.
    const number = (n: number) => ({ ir: ptrTo(arrayOf(n, i32)), btf: d.pointerType(d.arrayType(int, n)) });
    const members = [
      { name: "type", ...number(def.type) },
      { name: "max_entries", ...number(def.maxEntries) },
      ...(def.key ? [{ name: "key", ir: ptrTo(def.key.ir), btf: d.pointerType(def.key.btf) }] : []),
      ...(def.value ? [{ name: "value", ir: ptrTo(def.value.ir), btf: d.pointerType(def.value.btf) }] : []),
      ...(def.flags ? [{ name: "map_flags", ...number(def.flags) }] : []),
    ];
    const struct = d.structType(
      undefined,
      def.line,
      members.length * 64,
      members.map((member, i) => ({ name: member.name, type: member.btf, offsetBits: i * 64 })),
    );
    const type = this.m.namedType(this.typeName, { kind: "struct", fields: members.map((member) => member.ir) });
    this.m.defineGlobal({
      name: this.name,
      type,
      init: "zeroinitializer",
      section: ".maps",
      used: true,
      dbg: d.globalVariable({ name: this.name, line: def.line, type: struct, local: false }),
    });
  }
}
