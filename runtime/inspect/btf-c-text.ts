// An object's BTF as C declarations, briefly: what `tsbpf inspect` prints of the types a
// compiled object carries (the events' structs, the maps' definitions, the programs'
// prototypes, the params), and how it names a map's key and value type.

import { Kind, type Btf } from "../../compiler/btf/kernel-types.js";

/** Anonymous structs are written out inside a declaration to this depth, then as `struct {…}`. */
const INLINE_DEPTH = 2;
/** Types followed in one declaration before it is cut short: only a crafted file's cycle (a pointer to itself) goes this deep. */
const MAX_STEPS = 64;

export class CText {
  constructor(private readonly btf: Btf) {}

  /** The type alone: `struct ExecEvent`, `u32 *`, `char [16]`. */
  of(id: number): string {
    return this.declaration(id, "");
  }

  /** `name` declared with type `id`, as C writes it: `int (*type)[27]`, `char comm[16]`. */
  declaration(id: number, name: string, depth = 0, steps = 0): string {
    const { btf } = this;
    if (steps > MAX_STEPS) return `… ${name}`;
    const inner = (ref: number, innerName: string, innerDepth = depth) => this.declaration(ref, innerName, innerDepth, steps + 1);
    const joined = (base: string, inner: string) => (inner ? `${base} ${inner}` : base);
    const grouped = (inner: string) => (inner.startsWith("*") ? `(${inner})` : inner);
    switch (btf.kind(id)) {
      case Kind.Void:
        return joined("void", name);
      case Kind.Ptr:
        return inner(btf.ref(id), `*${name}`);
      case Kind.Array: {
        const { type, count } = btf.array(id);
        return inner(type, `${grouped(name)}[${count}]`);
      }
      case Kind.Const:
      case Kind.Volatile:
      case Kind.Restrict: {
        const word = btf.kind(id) === Kind.Const ? "const" : btf.kind(id) === Kind.Volatile ? "volatile" : "restrict";
        // `const T *p` qualifies what p points to; `T *const p`, p itself.
        return btf.kind(btf.ref(id)) === Kind.Ptr ? inner(btf.ref(id), `${word} ${name}`.trim()) : `${word} ${inner(btf.ref(id), name)}`;
      }
      case Kind.TypeTag:
      case Kind.DeclTag:
        return inner(btf.ref(id), name);
      case Kind.FuncProto: {
        const params = btf.params(id).map((p) => (p.type === 0 ? "..." : inner(p.type, p.name, depth + 1)));
        return inner(btf.ref(id), `${grouped(name)}(${params.join(", ") || "void"})`);
      }
      case Kind.Func:
      case Kind.Var:
        return inner(btf.ref(id), name);
      case Kind.Struct:
      case Kind.Union:
        return joined(btf.named(id) ? `${this.keyword(id)} ${btf.name(id)}` : depth < INLINE_DEPTH ? `${this.keyword(id)} ${this.body(id, depth + 1)}` : `${this.keyword(id)} {…}`, name);
      case Kind.Enum:
      case Kind.Enum64:
        return joined(btf.named(id) ? `enum ${btf.name(id)}` : "enum {…}", name);
      case Kind.Fwd:
        return joined(`${btf.kindFlag(id) ? "union" : "struct"} ${btf.name(id)}`, name);
      default:
        return joined(btf.name(id) || "?", name);
    }
  }

  /** A named type's definition (a struct, union, enum, typedef, function, variable) as a line of C, or undefined for types C names without defining. */
  private definition(id: number, sections: ReadonlyMap<number, string>): string | undefined {
    const { btf } = this;
    if (!btf.named(id)) return undefined;
    const name = btf.name(id);
    switch (btf.kind(id)) {
      case Kind.Struct:
      case Kind.Union:
        return `${this.keyword(id)} ${name} ${this.body(id, 1)};  /* ${btf.size(id)} bytes */`;
      case Kind.Enum:
      case Kind.Enum64:
        return `enum ${name} { ${btf.enumValues(id).map((v) => `${v.name} = ${v.value}`).join(", ")} };`;
      case Kind.Typedef:
        return `typedef ${this.declaration(btf.ref(id), name)};`;
      case Kind.Func:
        return `${["static ", "", "extern "][btf.vlen(id)] ?? ""}${this.declaration(btf.ref(id), name)};`;
      case Kind.Var: {
        const section = sections.get(id);
        return `${this.declaration(btf.ref(id), name)};${section !== undefined ? `  /* SEC("${section}") */` : ""}`;
      }
      default:
        return undefined;
    }
  }

  /** Every named type the BTF defines, as a line of C each, in id order. */
  definitions(): string[] {
    const { btf } = this;
    const sections = new Map<number, string>();
    for (let id = 1; id < btf.count; id++) if (btf.kind(id) === Kind.Datasec) for (const v of btf.sectionVariables(id)) sections.set(v.type, btf.name(id));
    const out: string[] = [];
    for (let id = 1; id < btf.count; id++) {
      const line = this.definition(id, sections);
      if (line) out.push(line);
    }
    return out;
  }

  /** The size of a type in bytes, through typedefs and qualifiers. */
  sizeOf(id: number, steps = 0): number {
    const { btf } = this;
    if (steps > MAX_STEPS) return 0;
    const t = btf.underlying(id, true);
    switch (btf.kind(t)) {
      case Kind.Ptr:
        return 8;
      case Kind.Array: {
        const { type, count } = btf.array(t);
        return this.sizeOf(type, steps + 1) * count;
      }
      case Kind.Int:
      case Kind.Float:
      case Kind.Struct:
      case Kind.Union:
      case Kind.Enum:
      case Kind.Enum64:
        return btf.size(t);
      default:
        return 0;
    }
  }

  private keyword(id: number): string {
    return this.btf.kind(id) === Kind.Union ? "union" : "struct";
  }

  private body(id: number, depth: number): string {
    const members = this.btf.members(id).map((m) => `${this.declaration(m.type, m.name, depth)}${m.bitfieldSize ? `: ${m.bitfieldSize}` : ""};`);
    return members.length ? `{ ${members.join(" ")} }` : "{}";
  }
}
