// Small BTF files made byte by byte, for the reader's and the generator's tests: each type is
// added as its kind's record (include/uapi/linux/btf.h), ids from 1 in the order of adding.

const KINDS = { int: 1, ptr: 2, array: 3, struct: 4, union: 5, enum: 6, fwd: 7, typedef: 8, volatile: 9, const: 10, restrict: 11, func: 12, funcProto: 13, var: 14, datasec: 15, float: 16, declTag: 17, typeTag: 18, enum64: 19 };

export class BtfBuilder {
  private readonly words: number[] = [];
  private readonly strings: string[] = [""];
  private stringBytes = 1;
  private readonly offsets = new Map<string, number>([["", 0]]);
  private count = 0;

  str(s: string): number {
    let at = this.offsets.get(s);
    if (at === undefined) {
      at = this.stringBytes;
      this.offsets.set(s, at);
      this.strings.push(s);
      this.stringBytes += Buffer.byteLength(s) + 1;
    }
    return at;
  }

  /** A raw record: kind, name, vlen, kind flag, the size-or-type word and the words after. */
  add(kind: keyof typeof KINDS, name: string, vlen: number, sizeOrType: number, rest: number[] = [], kindFlag = false): number {
    this.words.push(this.str(name), ((kindFlag ? 1 : 0) << 31) | (KINDS[kind] << 24) | vlen, sizeOrType, ...rest);
    return ++this.count;
  }

  int(name: string, size: number, signed = false, bool = false): number {
    return this.add("int", name, 0, size, [(((signed ? 1 : 0) | (bool ? 4 : 0)) << 24) | (size * 8)]);
  }
  ptr(to: number): number {
    return this.add("ptr", "", 0, to);
  }
  array(of: number, count: number, index: number): number {
    return this.add("array", "", 0, 0, [of, index, count]);
  }
  /** members: [name, type, bit offset, bitfield size?]; bitfields set the kind flag. */
  struct(name: string, size: number, members: [string, number, number, number?][], union = false): number {
    const flag = members.some((m) => m[3] !== undefined);
    return this.add(union ? "union" : "struct", name, members.length, size, members.flatMap(([n, t, off, bits]) => [this.str(n), t, flag ? ((bits ?? 0) << 24) | off : off]), flag);
  }
  enum(name: string, size: number, values: [string, number][], signed = false): number {
    return this.add("enum", name, values.length, size, values.flatMap(([n, v]) => [this.str(n), v >>> 0]), signed);
  }
  typedef(name: string, to: number): number {
    return this.add("typedef", name, 0, to);
  }
  func(name: string, returns: number, params: [string, number][]): number {
    const proto = this.add("funcProto", "", params.length, returns, params.flatMap(([n, t]) => [this.str(n), t]));
    return this.add("func", name, 1, proto);
  }

  /** The file: header, type section, string section (little-endian, as on x86 and arm64). */
  bytes(): Buffer {
    const types = Buffer.alloc(this.words.length * 4);
    this.words.forEach((w, i) => types.writeUInt32LE(w >>> 0, i * 4));
    const strings = Buffer.concat(this.strings.map((s) => Buffer.from(s + "\0")));
    const header = Buffer.alloc(24);
    header.writeUInt16LE(0xeb9f, 0);
    header.writeUInt8(1, 2);
    header.writeUInt32LE(24, 4);
    header.writeUInt32LE(0, 8);
    header.writeUInt32LE(types.length, 12);
    header.writeUInt32LE(types.length, 16);
    header.writeUInt32LE(strings.length, 20);
    return Buffer.concat([header, types, strings]);
  }
}
