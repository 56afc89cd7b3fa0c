// The kernel's structs as a probe's object declares them for CO-RE (D131): each with only the
// fields the probe reads, which is all libbpf needs, since it matches a local type against the
// kernel's by the struct's name and each accessed field's name. A struct gains members as
// lowering meets them; a member's index never changes once given, because parts of the module
// are printed (and compiled, on other threads) while lowering goes on. So members are laid out
// in the order they were met, at offsets one after another rather than the kernel's (BTF wants
// them increasing): the offsets here are placeholders that libbpf's relocations replace with
// the running kernel's, and nothing else reads them.
// Each struct (and enum) is named as a "flavour" of the kernel's (`task_struct___tsbpf_x_3`: libbpf matches
// the name before `___`), a new one for each module the process builds: LLVM's CO-RE pass keeps
// the globals it makes for each access in a map shared by all modules of the process, keyed by
// the struct's name and the access, and would hand a second module the first one's (freed)
// global (D131).

import { Btf } from "../btf/btf.js";
import { INT_BOOL, INT_SIGNED, Kind } from "../btf/btf-kinds.js";
import { compositeOf } from "../btf/kernel-subset.js";
import type { DebugInfo, DebugTypeRef, MDRef } from "../ir/debug-info.js";
import type { IRModule } from "../ir/ir-module.js";
import { arrayOf, i64, intType, structOf, type IRType } from "../ir/ir-types.js";

export interface LocalMember {
  index: number;
  name: string;
  irType: IRType;
  debugType: DebugTypeRef;
  /** Its size in the kernel, in bytes. */
  size: number;
  bitfield: boolean;
}

export interface LocalContainer {
  type: IRType;
  debugType: MDRef;
  union: boolean;
  members: LocalMember[];
  byName: Map<string, LocalMember>;
  btfId: number;
}

/**
 * Modules this copy of the compiler has declared kernel structs for: each one's flavour suffix.
 * LLVM's map lives as long as the process, and a process may hold several copies of these
 * modules (a test runner loads them afresh for each test file): each copy's names start with
 * the time it was loaded, so no two copies in one process ever make the same name.
 */
let modules = 0;
const copy = (process.hrtime.bigint() % 36n ** 8n).toString(36);

export class KernelLocalTypes {
  private readonly containers = new Map<number, LocalContainer>();
  private readonly flavour = `___tsbpf_${copy}_${++modules}`;
  private readonly debugTypes = new Map<number, DebugTypeRef>();
  private sequence = 0;

  constructor(
    private readonly btf: Btf,
    private readonly ir: IRModule,
    private readonly debug: DebugInfo,
  ) {}

  /** A number for each type-info relocation: LLVM must not merge two of them. */
  nextSequence(): number {
    return this.sequence++;
  }

  container(btfId: number): LocalContainer {
    let c = this.containers.get(btfId);
    if (!c) {
      const union = this.btf.kind(btfId) === Kind.Union;
      const name = this.btf.name(btfId);
      c = { type: this.ir.namedType(`kernel.${name || "anon"}.${btfId}`, structOf([])), debugType: this.debug.reserveComposite(), union, members: [], byName: new Map(), btfId };
      this.containers.set(btfId, c);
      this.refill(c);
    }
    return c;
  }

  /** The member `name` of kernel struct `btfId` (a field of an anonymous member counts), added if new; undefined if it has none. */
  member(btfId: number, name: string): LocalMember | undefined {
    const c = this.container(btfId);
    const known = c.byName.get(name);
    if (known) return known;
    let found: { parent: number; i: number } | undefined;
    this.btf.namedFields(btfId, (nameOffset, _type, _bitOffset, _bitfieldSize, parent, i) => {
      if (!found && this.btf.string(nameOffset) === name) found = { parent, i };
    });
    if (!found) return undefined;
    const btf = this.btf;
    const type = btf.memberType(found.parent, found.i);
    const bitfield = btf.kindFlag(found.parent) ? btf.memberBitfieldSize(found.parent, found.i) !== 0 : isIntBitfield(btf, type);
    const debugType = this.debugTypeOf(type);
    const member: LocalMember = { index: c.members.length, name, irType: this.irTypeOf(type), debugType, size: debugType.sizeBits / 8, bitfield };
    c.members.push(member);
    c.byName.set(name, member);
    this.refill(c);
    return member;
  }

  private refill(c: LocalContainer): void {
    let offsetBits = 0;
    let sizeBits = this.btf.size(c.btfId) * 8;
    const members = c.members.map((m) => {
      const at = c.union ? 0 : offsetBits;
      offsetBits = at + m.debugType.sizeBits;
      sizeBits = Math.max(sizeBits, offsetBits);
      return { name: m.name, type: m.debugType, offsetBits: at };
    });
    const name = this.btf.name(c.btfId);
    this.debug.fillComposite(c.debugType, { union: c.union, name: name && name + this.flavour, sizeBits, members });
    this.ir.namedType((c.type as { name: string }).name, structOf(c.members.map((m) => m.irType)));
  }

  private irTypeOf(type: number): IRType {
    const btf = this.btf;
    const t = btf.underlying(type, true);
    switch (btf.kind(t)) {
      case Kind.Struct:
      case Kind.Union:
        return this.container(t).type;
      case Kind.Array: {
        const { type: elem, count } = btf.array(t);
        return arrayOf(count, this.irTypeOf(elem));
      }
      case Kind.Ptr:
        return i64;
      default:
        return intType(Math.max(btf.size(t), 1) * 8);
    }
  }

  /** The debug type of a member's type: typedefs and qualifiers dropped (libbpf skips them too). */
  debugTypeOf(type: number): DebugTypeRef {
    const btf = this.btf;
    const t = btf.underlying(type, true);
    const known = this.debugTypes.get(t);
    if (known) return known;
    let d: DebugTypeRef;
    switch (btf.kind(t)) {
      case Kind.Struct:
      case Kind.Union:
        d = { ref: this.container(t).debugType, sizeBits: btf.size(t) * 8 };
        break;
      case Kind.Array: {
        const { type: elem, count } = btf.array(t);
        d = this.debug.arrayType(this.debugTypeOf(elem), count);
        break;
      }
      case Kind.Ptr: {
        const target = btf.underlying(btf.ref(t), true);
        const composite = btf.kind(target) === Kind.FuncProto ? undefined : compositeOf(btf, target);
        const simple = btf.kind(target) === Kind.Int || btf.kind(target) === Kind.Enum || btf.kind(target) === Kind.Enum64 || btf.kind(target) === Kind.Float;
        d = this.debug.pointerType(composite !== undefined && btf.kind(target) !== Kind.Ptr ? { ref: this.container(composite).debugType, sizeBits: btf.size(composite) * 8 } : simple ? this.debugTypeOf(target) : null);
        break;
      }
      case Kind.Int: {
        const encoding = btf.intEncoding(t);
        d = this.debug.basicType(btf.name(t), btf.size(t) * 8, encoding & INT_BOOL ? "boolean" : encoding & INT_SIGNED ? "signed" : "unsigned");
        break;
      }
      case Kind.Float:
        d = this.debug.basicType(btf.name(t), btf.size(t) * 8, "float");
        break;
      case Kind.Enum:
      case Kind.Enum64:
        d = this.debug.enumerationType(btf.name(t) && btf.name(t) + this.flavour, btf.size(t) * 8, btf.kindFlag(t), btf.enumValues(t));
        break;
      default:
        d = this.debug.basicType("long", 64, "signed"); // nothing a field holds (FUNC_PROTO only behind a pointer)
    }
    this.debugTypes.set(t, d);
    return d;
  }
}

/** Without the struct's kind flag, a bitfield is an INT narrower than its bytes. */
function isIntBitfield(btf: Btf, type: number): boolean {
  const t = btf.underlying(type, true);
  return btf.kind(t) === Kind.Int && btf.intBits(t) !== btf.size(t) * 8;
}
