// A parsed BTF file held compactly: the type section as 32-bit words with each type's start,
// the string section as bytes, names decoded only when asked for. btf-parse.ts builds it and
// has checked every offset and type id it holds, so the accessors index without checks.

import { isAscii } from "node:buffer";
import { TsbpfError } from "../../contract/errors.js";
import { Kind } from "./btf-kinds.js";
import { StringKeys } from "./string-keys.js";
import { isIdentifier } from "./ts-names.js";

/** Name lookups answered by scanning before an index of every name pays off. */
const INDEX_AFTER_LOOKUPS = 32;

/** Longest chain of modifiers and typedefs followed; a longer one is a cycle in a crafted file. */
const MAX_CHAIN = 256;

export interface Member {
  name: string;
  type: number;
  /** From the start of the struct. */
  bitOffset: number;
  /** 0 unless the member is a bitfield. */
  bitfieldSize: number;
}

export interface EnumValue {
  name: string;
  value: bigint;
}

export interface Param {
  /** "" for an unnamed parameter; a variadic `...` is a last parameter of type 0. */
  name: string;
  type: number;
}

export class Btf {
  /** Whether every string is ASCII (then byte offsets are character offsets in latin1Text). */
  private readonly asciiOnly: boolean;
  /** The whole string section as one string, made when first read: the WebAssembly generator (D202) reads none. */
  private latin1: string | undefined;
  private readonly names = new Map<number, string>();
  private byName: Map<string, number[]> | undefined;
  private lookups = 0;
  /** 1 at the start of each string of the string section that is not an identifier (notIdentifiers()). */
  private notIdentifier: Uint8Array | undefined;

  constructor(
    /** Where it was read from, for messages. */
    readonly file: string,
    /** The type section, one word per 4 bytes, in the machine's byte order. */
    private readonly words: Uint32Array,
    /** Word index of each type's header; index 0 (void) is unused. */
    private readonly starts: Uint32Array,
    /** Each type's kind (index 0: void), read once by the parser. */
    private readonly kinds: Uint8Array,
    private readonly strings: Buffer,
  ) {
    this.asciiOnly = isAscii(strings); // a native check: 5 ms less than a loop
  }

  /** Whether every string is ASCII. */
  get isAscii(): boolean {
    return this.asciiOnly;
  }

  /** The sections as parsed (checked by btf-parse.ts), for declarations-wasm.ts to copy. */
  get sections(): { words: Uint32Array; starts: Uint32Array; kinds: Uint8Array; strings: Buffer } {
    return { words: this.words, starts: this.starts, kinds: this.kinds, strings: this.strings };
  }

  /** The size of the type and string sections, in bytes. */
  get byteLength(): number {
    return 4 * this.words.length + this.strings.length;
  }

  /** Type ids run from 1 to count - 1; 0 is void. */
  get count(): number {
    return this.starts.length;
  }

  kind(id: number): Kind {
    return this.kinds[id];
  }

  /**
   * The ids of the types of `kinds`, in id order: a pass over a byte per type, where a pass of
   * its own over every type id for each kind a generator wants cost 5–10 ms in a cold process.
   */
  idsOf(...kinds: Kind[]): Int32Array {
    let mask = 0;
    for (const k of kinds) mask |= 1 << k;
    const all = this.kinds;
    let n = 0;
    for (let id = 1; id < all.length; id++) n += (mask >>> all[id]) & 1;
    const ids = new Int32Array(n);
    for (let id = 1, i = 0; i < n; id++) if ((mask >>> all[id]) & 1) ids[i++] = id;
    return ids;
  }
  vlen(id: number): number {
    return this.words[this.starts[id] + 1] & 0xffff;
  }
  kindFlag(id: number): boolean {
    return this.words[this.starts[id] + 1] >>> 31 === 1;
  }
  /** The size in bytes (INT, STRUCT, UNION, ENUM, ENUM64, FLOAT, DATASEC). */
  size(id: number): number {
    return this.words[this.starts[id] + 2];
  }
  /** The type referred to (PTR, TYPEDEF, modifiers, FUNC, VAR, DECL_TAG; FUNC_PROTO's return). */
  ref(id: number): number {
    return this.words[this.starts[id] + 2];
  }
  /** Whether the type has a name (without decoding it). */
  named(id: number): boolean {
    return id !== 0 && this.words[this.starts[id]] !== 0;
  }
  /** Where the type's name is in the string section (0: none). */
  nameOffset(id: number): number {
    return id === 0 ? 0 : this.words[this.starts[id]];
  }
  /** A key per distinct string of the string section (string-keys.ts); `expected`: how many will be asked for. */
  stringKeys(expected: number): StringKeys {
    return new StringKeys(this.strings, expected);
  }
  name(id: number): string {
    return id === 0 ? "" : this.string(this.words[this.starts[id]]);
  }
  /** Whether the type's name starts with `prefix` (ASCII), read from its bytes: no string made. */
  nameStartsWith(id: number, prefix: string): boolean {
    const at = this.nameOffset(id);
    for (let i = 0; i < prefix.length; i++) if (this.strings[at + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }

  /** INT's encoding (INT_SIGNED, INT_BOOL, …) and width in bits. */
  intEncoding(id: number): number {
    return (this.words[this.starts[id] + 3] >>> 24) & 0x0f;
  }
  intBits(id: number): number {
    return this.words[this.starts[id] + 3] & 0xff;
  }

  array(id: number): { type: number; indexType: number; count: number } {
    const at = this.starts[id] + 3;
    return { type: this.words[at], indexType: this.words[at + 1], count: this.words[at + 2] };
  }

  members(id: number): Member[] {
    const out: Member[] = [];
    for (let i = 0, n = this.vlen(id); i < n; i++)
      out.push({ name: this.memberName(id, i), type: this.memberType(id, i), bitOffset: this.memberBitOffset(id, i), bitfieldSize: this.memberBitfieldSize(id, i) });
    return out;
  }

  // Members one part at a time, for the loops that run over every struct (no object per member).
  memberNameOffset(id: number, i: number): number {
    return this.words[this.starts[id] + 3 + 3 * i];
  }
  memberName(id: number, i: number): string {
    return this.string(this.memberNameOffset(id, i));
  }
  memberType(id: number, i: number): number {
    return this.words[this.starts[id] + 4 + 3 * i];
  }
  memberBitOffset(id: number, i: number): number {
    const offset = this.words[this.starts[id] + 5 + 3 * i];
    return this.kindFlag(id) ? offset & 0xffffff : offset;
  }
  /** 0 unless the member is a bitfield (and the struct says so with its kind flag). */
  memberBitfieldSize(id: number, i: number): number {
    return this.kindFlag(id) ? this.words[this.starts[id] + 5 + 3 * i] >>> 24 : 0;
  }

  /**
   * The named fields of struct or union `id`, with those of its anonymous members (C11: their
   * fields are the parent's), each with its offset in bits from the start of `id` and, where the
   * struct's kind flag gives one, its bitfield size (else -1: an INT of fewer bits than its size
   * is one). Read here from the words: the loop every struct of a vmlinux goes through.
   */
  namedFields(id: number, visit: (nameOffset: number, type: number, bitOffset: number, bitfieldSize: number, parent: number, i: number) => void, base = 0, depth = 0): void {
    if (depth > 64) throw this.cycle(id);
    const words = this.words;
    const info = words[this.starts[id] + 1];
    const kindFlag = info >>> 31 === 1;
    for (let i = 0, n = info & 0xffff, at = this.starts[id] + 3; i < n; i++, at += 3) {
      const placement = words[at + 2];
      const bitOffset = base + (kindFlag ? placement & 0xffffff : placement);
      if (words[at] !== 0) visit(words[at], words[at + 1], bitOffset, kindFlag ? placement >>> 24 : -1, id, i);
      else {
        const t = this.underlying(words[at + 1]);
        const k = this.kinds[t];
        if (k === Kind.Struct || k === Kind.Union) this.namedFields(t, visit, bitOffset, depth + 1);
        // an unnamed bitfield is padding: nothing to read
      }
    }
  }

  /** ENUM's and ENUM64's values, signed or not as the kind flag says. */
  enumValues(id: number): EnumValue[] {
    const out: EnumValue[] = [];
    for (let i = 0, n = this.vlen(id); i < n; i++) out.push({ name: this.enumName(id, i), value: BigInt(this.enumValue(id, i)) });
    return out;
  }
  enumName(id: number, i: number): string {
    return this.string(this.enumNameOffset(id, i));
  }
  enumNameOffset(id: number, i: number): number {
    return this.words[this.enumAt(id, i)];
  }
  /** Value i of an ENUM (a number: no BigInt for the common case) or an ENUM64 (a bigint). */
  enumValue(id: number, i: number): number | bigint {
    const at = this.enumAt(id, i);
    const low = this.words[at + 1];
    if (this.kind(id) !== Kind.Enum64) return this.kindFlag(id) ? low | 0 : low;
    const bits = (BigInt(this.words[at + 2]) << 32n) | BigInt(low);
    return this.kindFlag(id) ? BigInt.asIntN(64, bits) : bits;
  }
  private enumAt(id: number, i: number): number {
    return this.starts[id] + 3 + (this.kind(id) === Kind.Enum64 ? 3 : 2) * i;
  }

  params(id: number): Param[] {
    const out: Param[] = [];
    for (let i = 0, n = this.vlen(id); i < n; i++) out.push({ name: this.string(this.paramNameOffset(id, i)), type: this.paramType(id, i) });
    return out;
  }
  paramNameOffset(id: number, i: number): number {
    return this.words[this.starts[id] + 3 + 2 * i];
  }
  paramType(id: number, i: number): number {
    return this.words[this.starts[id] + 4 + 2 * i];
  }

  /** A DATASEC's variables: each VAR's type id, and its offset and size in the section. */
  sectionVariables(id: number): { type: number; offset: number; size: number }[] {
    const out: { type: number; offset: number; size: number }[] = [];
    for (let i = 0, at = this.starts[id] + 3, n = this.vlen(id); i < n; i++, at += 3) out.push({ type: this.words[at], offset: this.words[at + 1], size: this.words[at + 2] });
    return out;
  }

  /** The ids of the types named `name`, in id order (a name may be a struct and a typedef, or twice a func). */
  idsNamed(name: string): readonly number[] {
    // A few names (a probe's compile) cost a scan each; an index of all 100,000 costs 150 ms.
    if (!this.byName && ++this.lookups <= INDEX_AFTER_LOOKUPS) return this.scanFor(name);
    if (!this.byName) {
      const byOffset = new Map<number, number[]>();
      for (let id = 1; id < this.count; id++) {
        const offset = this.words[this.starts[id]];
        if (offset === 0) continue;
        const ids = byOffset.get(offset);
        if (ids) ids.push(id);
        else byOffset.set(offset, [id]);
      }
      this.byName = new Map();
      for (const [offset, ids] of byOffset) {
        const key = this.string(offset);
        const known = this.byName.get(key);
        this.byName.set(key, known ? [...known, ...ids].sort((a, b) => a - b) : ids);
      }
    }
    return this.byName.get(name) ?? [];
  }

  /** The ids whose name is `name`, found by its offsets in the string section (a string may be there twice). */
  private scanFor(name: string): number[] {
    const offsets = new Set<number>();
    const needle = Buffer.from(`\0${name}\0`, "utf8");
    for (let at = this.strings.indexOf(needle); at !== -1; at = this.strings.indexOf(needle, at + 1)) offsets.add(at + 1);
    const ids: number[] = [];
    if (!offsets.size) return ids;
    for (let id = 1; id < this.count; id++) if (offsets.has(this.words[this.starts[id]])) ids.push(id);
    return ids;
  }

  /** The first type named `name` of one of `kinds`, or undefined. */
  find(name: string, ...kinds: Kind[]): number | undefined {
    return this.idsNamed(name).find((id) => kinds.includes(this.kind(id)));
  }

  /** `id` without const, volatile, restrict and type tags (and typedefs, if asked). */
  underlying(id: number, throughTypedefs = false): number {
    for (let steps = 0; steps < MAX_CHAIN; steps++) {
      const kind = this.kind(id);
      if (kind !== Kind.Const && kind !== Kind.Volatile && kind !== Kind.Restrict && kind !== Kind.TypeTag && !(throughTypedefs && kind === Kind.Typedef)) return id;
      id = this.ref(id);
    }
    throw this.cycle(id);
  }

  /** The error for a chain of types that does not end: only a crafted file has one. */
  cycle(id: number): TsbpfError {
    return new TsbpfError(`is not a usable BTF file: type ${id} is part of a chain of types that does not end (a cycle)`, {
      subject: this.file,
      hint: "give a kernel's BTF: /sys/kernel/btf/vmlinux of the kernel whose types you want, or a copy of it",
    });
  }

  /**
   * Whether the string at `offset` is an identifier (isIdentifier), told for all strings at once
   * by one regular expression over the section (a dozen of a vmlinux's 125,000 are not): a loop
   * over each name's characters, for every field and function, cost more than writing the name.
   */
  identifierAt(offset: number): boolean {
    if (offset === 0) return false;
    if (this.strings[offset - 1] !== 0) return isIdentifier(this.string(offset)); // a suffix of another string
    return (this.notIdentifier ??= this.notIdentifiers())[offset] === 0;
  }

  private notIdentifiers(): Uint8Array {
    // An identifier is ASCII: read as latin1, no byte of a longer UTF-8 character is part of one.
    const text = this.latin1Text();
    const marks = new Uint8Array(text.length);
    // What makes a string no identifier: a character of none, or a digit or the string's end right after its start.
    const spoiler = /[^\0A-Za-z0-9_$]|\0(?=[0-9\0])/g;
    for (let m = spoiler.exec(text); m !== null; m = spoiler.exec(text)) marks[text[m.index] === "\0" ? m.index + 1 : text.lastIndexOf("\0", m.index) + 1] = 1;
    return marks;
  }

  /** The string section read as latin1 (each byte a character), made once. */
  private latin1Text(): string {
    return (this.latin1 ??= this.strings.toString("latin1"));
  }

  /** The NUL-terminated string at `offset` of the string section (checked to lie inside it). */
  string(offset: number): string {
    if (offset === 0) return "";
    if (this.asciiOnly) {
      const text = this.latin1Text();
      return text.slice(offset, text.indexOf("\0", offset));
    }
    let s = this.names.get(offset);
    if (s === undefined) {
      s = this.strings.toString("utf8", offset, this.strings.indexOf(0, offset));
      this.names.set(offset, s);
    }
    return s;
  }
}
