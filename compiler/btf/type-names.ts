// The TypeScript name of each BTF type that gets a declaration, decided before anything is
// written (a field may refer to a struct declared later). The order of claims makes the names
// deterministic (ts-names.ts, D141):
//   1. struct, union and enum tags, by type id (a second `struct foo` is `foo_`); a forward
//      declaration is the definition of that name, or an empty interface of its own;
//   2. typedefs, by type id: `typedef struct foo foo` and `typedef unsigned char u8` declare
//      nothing (the name already means that type); a typedef of an anonymous struct, union or
//      enum names it;
//   3. anonymous structs and unions reached through a named field: `<parent>__<field>`.
// Anonymous composites reached only otherwise are named `__anon_<id>` when first used (type-text.ts).

import { Btf } from "./btf.js";
import { Kind } from "./btf-kinds.js";
import { NameTable, typeNames, valueNames } from "./ts-names.js";

/** What the module imports from "tsbpf". */
export const IMPORTED = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "Ptr", "FixedArray", "Str"];
/**
 * Names no kernel type may take: what a probe's kernel declarations import besides (tracepoint
 * records), and the interfaces the module augments, whose bodies name kernel types.
 */
export const RESERVED_NAMES = [...IMPORTED, "UserPtr", "KernelFunctions", "KernelTypes", "TracepointFields"];

const INT_NAMES: Record<number, [string, string]> = { 1: ["u8", "i8"], 2: ["u16", "i16"], 4: ["u32", "i32"], 8: ["u64", "i64"] };

/** u8 … i64 for an integer of `size` bytes, or undefined for other sizes. */
export const intTypeName = (size: number, signed: boolean): string | undefined => INT_NAMES[size]?.[signed ? 1 : 0];

export interface TypeNames {
  /** The TS name of each type id that has one. */
  readonly of: (string | undefined)[];
  /** Types whose name is another's (a forward declaration, `typedef struct foo foo`): no declaration of their own. */
  readonly aliases: Set<number>;
  readonly types: NameTable;
  readonly values: NameTable;
}

const isComposite = (k: Kind) => k === Kind.Struct || k === Kind.Union;
const isEnum = (k: Kind) => k === Kind.Enum || k === Kind.Enum64;

export function nameTypes(btf: Btf): TypeNames {
  const names: TypeNames = { of: new Array(btf.count), aliases: new Set(), types: typeNames(RESERVED_NAMES), values: valueNames(RESERVED_NAMES) };
  nameTags(btf, names);
  nameTypedefs(btf, names);
  nameFieldTypes(btf, names);
  return names;
}

function nameTags(btf: Btf, names: TypeNames): void {
  const { of, aliases, types, values } = names;
  const forwards: number[] = [];
  const composites = new Map<string, number>(); // the first struct or union of each name
  const enums = new Map<string, number>(); // the first enum with members of each name
  const tags = btf.idsOf(Kind.Fwd, Kind.Struct, Kind.Union, Kind.Enum, Kind.Enum64);
  for (let i = 0; i < tags.length; i++) {
    const id = tags[i];
    const kind = btf.kind(id);
    const name = btf.name(id);
    if (name === "") continue;
    if (kind === Kind.Fwd || (isEnum(kind) && btf.vlen(id) === 0)) {
      forwards.push(id);
      continue;
    }
    of[id] = types.claim(name);
    if (isEnum(kind)) {
      values.take(of[id]!);
      if (!enums.has(name)) enums.set(name, id);
    } else if (!composites.has(name)) composites.set(name, id);
  }
  for (const id of forwards) {
    const name = btf.name(id);
    const definition = (btf.kind(id) === Kind.Fwd ? composites : enums).get(name);
    if (definition !== undefined) {
      of[id] = of[definition];
      aliases.add(id);
    } else {
      of[id] = types.claim(name);
      if (btf.kind(id) !== Kind.Fwd) values.take(of[id]!);
    }
  }
}

function nameTypedefs(btf: Btf, names: TypeNames): void {
  const { of, aliases, types } = names;
  const typedefs = btf.idsOf(Kind.Typedef);
  for (let i = 0; i < typedefs.length; i++) {
    const id = typedefs[i];
    const name = btf.name(id);
    const target = btf.underlying(btf.ref(id));
    const targetKind = btf.kind(target);
    if ((isComposite(targetKind) || isEnum(targetKind)) && !btf.named(target) && of[target] === undefined) {
      of[target] = of[id] = types.claim(name); // the typedef names the anonymous type
      if (isEnum(targetKind)) names.values.take(of[id]!);
      aliases.add(id);
    } else if (of[target] !== undefined && btf.name(target) === name) {
      of[id] = of[target];
      aliases.add(id);
    } else if (sameInt(btf, btf.underlying(target, true), name)) {
      of[id] = name;
      aliases.add(id);
    } else of[id] = types.claim(name);
  }
}

/** Whether `id` is the integer that tsbpf calls `name` (`typedef unsigned char u8`). */
function sameInt(btf: Btf, id: number, name: string): boolean {
  return btf.kind(id) === Kind.Int && IMPORTED.includes(name) && intTypeName(btf.size(id), (btf.intEncoding(id) & 1) === 1) === name;
}

function nameFieldTypes(btf: Btf, names: TypeNames): void {
  const walked = new Uint8Array(btf.count);
  const walk = (id: number, parent: string, depth: number): void => {
    if (depth > 64) throw btf.cycle(id);
    walked[id] = 1;
    for (let i = 0, n = btf.vlen(id); i < n; i++) {
      let t = btf.underlying(btf.memberType(id, i));
      for (let steps = 0; btf.kind(t) === Kind.Array && steps < 64; steps++) t = btf.underlying(btf.array(t).type);
      if (!isComposite(btf.kind(t)) || btf.named(t)) continue;
      if (btf.memberNameOffset(id, i) === 0) walk(t, parent, depth + 1); // C11 anonymous member: its fields are the parent's
      else if (names.of[t] === undefined) {
        names.of[t] = names.types.claim(`${parent}__${btf.memberName(id, i)}`);
        walk(t, names.of[t]!, depth + 1);
      }
    }
  };
  const composites = btf.idsOf(Kind.Struct, Kind.Union);
  for (let i = 0; i < composites.length; i++) {
    const id = composites[i];
    if (names.of[id] !== undefined && walked[id] === 0) walk(id, names.of[id]!, 0);
  }
}
