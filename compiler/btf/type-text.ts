// A BTF type as a TypeScript type, where it is used (a field, a parameter, a typedef):
//   integers by size and signedness (u8 … i64; _Bool: boolean; 128-bit: FixedArray<u64, 2>);
//   floats as the unsigned integer of their size, a placeholder holding their bits (D142);
//   T * → Ptr<T>, void * → Ptr<void>, a function pointer → u64; T[N] → FixedArray<T, N>, but
//   char[N] → Str<N>;
//   structs, unions, enums, typedefs by name (an anonymous enum as its integer type);
//   const, volatile, restrict and type tags dropped.
// Each type's text is worked out once.

import { Btf } from "./btf.js";
import { INT_BOOL, INT_CHAR, INT_SIGNED, Kind } from "./btf-kinds.js";
import { flat } from "./text-buffer.js";
import { intTypeName, type TypeNames } from "./type-names.js";

/** Deepest nesting of pointers and arrays followed; deeper is a cycle in a crafted file. */
const MAX_DEPTH = 64;

export class TypeText {
  private readonly texts: (string | undefined)[];
  private readonly fields: (string | undefined)[];
  /** Anonymous structs and unions named on first use, not yet declared. */
  readonly pending: number[] = [];
  /** Called once for each type that is spelled by its name (a declaration must exist for it). */
  onNamed?: (id: number) => void;

  constructor(
    private readonly btf: Btf,
    private readonly names: TypeNames,
  ) {
    this.texts = new Array(btf.count);
    this.fields = new Array(btf.count);
  }

  of(id: number, depth = 0): string {
    let text = this.texts[id];
    if (text === undefined) {
      if (depth > MAX_DEPTH) throw this.btf.cycle(id);
      text = this.texts[id] = flat(this.compute(id, depth + 1));
      if (this.onNamed && this.names.of[id] === text) this.onNamed(id);
    }
    return text;
  }

  /** The type as a field's: `: T;\n` (made once: written for each field of the type). */
  asField(id: number): string {
    return (this.fields[id] ??= flat(`: ${this.of(id)};\n`));
  }

  private compute(id: number, depth: number): string {
    const btf = this.btf;
    switch (btf.kind(id)) {
      case Kind.Void:
        return "void";
      case Kind.Int:
        if (btf.intEncoding(id) & INT_BOOL) return "boolean";
        return integer(btf.size(id), (btf.intEncoding(id) & INT_SIGNED) !== 0);
      case Kind.Float:
        return integer(btf.size(id), false);
      case Kind.Ptr: {
        const target = btf.underlying(btf.ref(id), true);
        return btf.kind(target) === Kind.FuncProto ? "u64" : `Ptr<${this.of(btf.ref(id), depth)}>`;
      }
      case Kind.Array: {
        const { type, count } = btf.array(id);
        // C's strings: char name[16] is a Str<16>, printable and comparable as bpftrace's are.
        return isChar(btf, type) && count > 0 ? `Str<${count}>` : `FixedArray<${this.of(type, depth)}, ${count}>`;
      }
      case Kind.Struct:
      case Kind.Union:
        return this.names.of[id] ?? this.nameOnFirstUse(id);
      case Kind.Enum:
      case Kind.Enum64:
        return this.names.of[id] ?? integer(btf.size(id), btf.kindFlag(id));
      case Kind.Fwd:
      case Kind.Typedef:
        return this.names.of[id]!;
      case Kind.Const:
      case Kind.Volatile:
      case Kind.Restrict:
      case Kind.TypeTag:
        return this.of(btf.ref(id), depth);
      case Kind.FuncProto:
        return "u64"; // a function type is met only behind a pointer (or a typedef of one)
      default:
        return "never"; // FUNC, VAR, DATASEC, DECL_TAG are no value's type
    }
  }

  private nameOnFirstUse(id: number): string {
    const name = this.names.types.claim(`__anon_${id}`);
    this.names.of[id] = name;
    this.pending.push(id);
    return name;
  }
}

/** Whether `id` is C's char (the BTF encoding says so, or the name: clang marks only signed ones). */
function isChar(btf: Btf, id: number): boolean {
  const t = btf.underlying(id, true);
  return btf.kind(t) === Kind.Int && btf.size(t) === 1 && ((btf.intEncoding(t) & INT_CHAR) !== 0 || /^(unsigned |signed )?char$/.test(btf.name(t)));
}

/** An integer of `size` bytes: u8 … i64, or its bytes for other sizes. */
function integer(size: number, signed: boolean): string {
  if (size === 16) return "FixedArray<u64, 2>";
  return intTypeName(size, signed) ?? `FixedArray<u8, ${size}>`;
}
