// The data an object declares, from its BTF and sections: the maps (.maps, as tsbpf and libbpf
// write them, or a legacy `maps` section) and the variables of its data sections with their
// initial values (tsbpf's params are the fields of `tsbpf_params` in .rodata.params).

import { Kind, INT_SIGNED, INT_BOOL } from "../../compiler/btf/kernel-types.js";
import { STT_SECTION } from "./bpf-elf.js";
import type { BpfObject } from "./bpf-object.js";

export interface ObjectMap {
  name: string;
  /** BPF_MAP_TYPE_*, as bpftool names it (`hash`, `ringbuf`). */
  type: string;
  maxEntries: number;
  key?: { text: string; size: number };
  value?: { text: string; size: number };
  flags: number;
}

/** A variable of a data section (.rodata*, .data*, .bss), or a field of one that is a struct (tsbpf's params). */
export interface DataVariable {
  name: string;
  section: string;
  offset: number;
  type: string;
  size: number;
  /** Its initial value, as C would write it. */
  value: string;
}

// include/uapi/linux/bpf.h's enum bpf_map_type, as bpftool prints it.
const MAP_TYPES = [
  "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
  "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
  "percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
  "user_ringbuf", "cgrp_storage", "arena",
];
export const mapTypeName = (type: number): string => MAP_TYPES[type] ?? `type ${type}`;

/** The maps the object defines in .maps (BTF-defined, as tsbpf and libbpf write them) or in a legacy `maps` section. */
export function objectMaps(o: BpfObject): ObjectMap[] {
  const { btf, c } = o;
  const out: ObjectMap[] = [];
  const maps = btf && c && sectionVariables(o, ".maps");
  for (const { name, type } of maps ?? []) {
    const definition = btf!.underlying(type, true);
    if (btf!.kind(definition) !== Kind.Struct) continue;
    const fields = new Map(btf!.members(definition).map((m) => [m.name, m.type]));
    // `int (*type)[N]`: the number is the array's length.
    const number = (field: string) => {
      const ptr = fields.get(field);
      if (ptr === undefined || btf!.kind(ptr) !== Kind.Ptr) return undefined;
      const array = btf!.underlying(btf!.ref(ptr), true);
      return btf!.kind(array) === Kind.Array ? btf!.array(array).count : undefined;
    };
    const typed = (field: "key" | "value") => {
      const ptr = fields.get(field);
      const size = number(`${field}_size`);
      if (ptr !== undefined && btf!.kind(ptr) === Kind.Ptr) return { text: c!.of(btf!.ref(ptr)), size: size ?? c!.sizeOf(btf!.ref(ptr)) };
      return size !== undefined ? { text: `${size} bytes`, size } : undefined;
    };
    out.push({ name, type: mapTypeName(number("type") ?? 0), maxEntries: number("max_entries") ?? 0, key: typed("key"), value: typed("value"), flags: number("map_flags") ?? 0 });
  }
  // Before BTF-defined maps: `struct bpf_map_def { type, key_size, value_size, max_entries, map_flags }` per symbol.
  const legacy = o.elf.section("maps");
  if (legacy)
    for (const s of o.elf.symbols.filter((s) => s.section === legacy.index && s.type !== STT_SECTION && s.value + 20 <= legacy.bytes.length)) {
      const word = (i: number) => legacy.bytes.readUInt32LE(s.value + 4 * i);
      out.push({ name: s.name, type: mapTypeName(word(0)), key: { text: `${word(1)} bytes`, size: word(1) }, value: { text: `${word(2)} bytes`, size: word(2) }, maxEntries: word(3), flags: word(4) });
    }
  return out;
}

/**
 * The variables of the data sections, with their initial values; a struct variable (tsbpf's
 * params, all in one `tsbpf_params`) as its fields.
 */
export function dataVariables(o: BpfObject): DataVariable[] {
  const { btf, c } = o;
  if (!btf || !c) return [];
  const out: DataVariable[] = [];
  for (const section of o.elf.sections.filter((s) => /^\.(rodata|data|bss)/.test(s.name))) {
    for (const { name, type, offset, size } of sectionVariables(o, section.name)) {
      const bytes = section.bytes.length ? section.bytes.subarray(offset, offset + size) : Buffer.alloc(size);
      const struct = btf.underlying(type, true);
      if (btf.kind(struct) === Kind.Struct) {
        for (const m of btf.members(struct)) {
          const at = m.bitOffset / 8;
          const fieldSize = c.sizeOf(m.type);
          out.push({ name: m.name, section: section.name, offset: offset + at, type: c.of(m.type), size: fieldSize, value: valueText(o, m.type, bytes.subarray(at, at + fieldSize)) });
        }
      } else out.push({ name, section: section.name, offset, type: c.of(type), size, value: valueText(o, type, bytes) });
    }
  }
  return out;
}

/** The VARs of DATASEC `name`, with where the symbol table puts each (the DATASEC's offsets are 0 until libbpf fixes them). */
function sectionVariables(o: BpfObject, name: string): { name: string; type: number; offset: number; size: number }[] {
  const { btf } = o;
  const section = btf && btf.find(name, Kind.Datasec);
  if (section === undefined) return [];
  const elfSection = o.elf.section(name);
  return btf!.sectionVariables(section).map((v) => {
    const varName = btf!.name(v.type);
    const symbol = elfSection && o.elf.symbols.find((s) => s.section === elfSection.index && s.name === varName);
    return { name: varName, type: btf!.ref(v.type), offset: symbol?.value ?? v.offset, size: v.size || (symbol?.size ?? 0) };
  });
}

function valueText(o: BpfObject, type: number, bytes: Buffer): string {
  const { btf } = o;
  const t = btf!.underlying(type, true);
  const kind = btf!.kind(t);
  if ((kind === Kind.Int || kind === Kind.Enum || kind === Kind.Enum64) && [1, 2, 4, 8].includes(bytes.length)) {
    const signed = kind === Kind.Int ? (btf!.intEncoding(t) & INT_SIGNED) !== 0 : btf!.kindFlag(t);
    if (kind === Kind.Int && btf!.intEncoding(t) & INT_BOOL) return bytes.some((b) => b !== 0) ? "true" : "false";
    const unsigned = bytes.reduceRight((v, b) => (v << 8n) | BigInt(b), 0n);
    return String(signed ? BigInt.asIntN(bytes.length * 8, unsigned) : unsigned);
  }
  if (kind === Kind.Array && o.c!.sizeOf(btf!.array(t).type) === 1 && btf!.kind(btf!.underlying(btf!.array(t).type, true)) === Kind.Int) return JSON.stringify(bytes.toString("latin1").replace(/\0.*$/s, ""));
  return bytes.length <= 16 ? `{ ${[...bytes].map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ")} }` : `{ ${bytes.length} bytes }`;
}
