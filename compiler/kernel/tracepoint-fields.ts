// The fields of a tracepoint's record, from its tracefs `format` file, as a TypeScript interface:
// what `ctx` of `tracepoint("syscalls/sys_enter_openat", (ctx) => …)` is typed as (D129). The
// layout is the format file's: each field at its offset, with padding where C's rules would put
// it elsewhere (a syscall's `int flags` fills 8 bytes). No TypeScript here: a cached run reads
// the formats to key its cache without loading it.

import { alignUp } from "../../contract/c-layout.js";

/** One `field:` line of a format file. */
export interface FormatField {
  /** The C declaration as the format file writes it: `const char * filename`, `char comm[16]`. */
  declaration: string;
  /** Its type, without the name: `const char *`, `char`, `__data_loc char[]`. */
  ctype: string;
  name: string;
  /** For `char comm[16]`: 16. */
  length?: number;
  offset: number;
  size: number;
  signed: boolean;
}

const FIELD = /field:(.+?);\s*offset:(\d+);\s*size:(\d+);\s*signed:([01]);/y;
const DECLARATION = /^(.*?)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\[(\d*)\])?$/;

/**
 * The fields a format file lists, in order; undefined if it is not one. Each `field:` line is
 * matched where it stands (a sticky expression at each line's start), with no array of lines:
 * `tsbpf types` parses 2,300 of these files, and their garbage was a third of the time.
 */
export function parseFormat(text: string): FormatField[] | undefined {
  if (!/^format:/m.test(text)) return undefined;
  const fields: FormatField[] = [];
  for (let line = 0; line < text.length; line = nextLine(text, line)) {
    let at = line;
    while (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9) at++; // leading blanks
    if (!text.startsWith("field:", at)) continue;
    FIELD.lastIndex = at;
    const m = FIELD.exec(text);
    if (!m) continue;
    const decl = m[1].trim();
    const d = DECLARATION.exec(decl);
    if (!d) return undefined;
    const [, ctype, name, length] = d;
    fields.push({ declaration: decl, ctype: ctype.trim() + (length === "" ? "[]" : ""), name, length: length ? Number(length) : undefined, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === "1" });
  }
  return fields;
}

const nextLine = (text: string, at: number): number => {
  const end = text.indexOf("\n", at);
  return end === -1 ? text.length : end + 1;
};

/** C integer types by name: their width and sign, where the format's size is the slot's (a syscall argument's 8 bytes). */
const C_INTS: Record<string, [bits: 8 | 16 | 32 | 64, signed: boolean]> = {
  char: [8, true], "signed char": [8, true], "unsigned char": [8, false],
  short: [16, true], "unsigned short": [16, false],
  int: [32, true], "unsigned int": [32, false], unsigned: [32, false],
  long: [64, true], "unsigned long": [64, false], "long long": [64, true], "unsigned long long": [64, false],
  u8: [8, false], u16: [16, false], u32: [32, false], u64: [64, false],
  s8: [8, true], s16: [16, true], s32: [32, true], s64: [64, true],
  __u8: [8, false], __u16: [16, false], __u32: [32, false], __u64: [64, false],
  __s8: [8, true], __s16: [16, true], __s32: [32, true], __s64: [64, true],
  uint8_t: [8, false], uint16_t: [16, false], uint32_t: [32, false], uint64_t: [64, false],
  int8_t: [8, true], int16_t: [16, true], int32_t: [32, true], int64_t: [64, true],
  pid_t: [32, true], uid_t: [32, false], gid_t: [32, false], umode_t: [16, false],
  size_t: [64, false], ssize_t: [64, true], loff_t: [64, true],
};

const intName = (bits: number, signed: boolean) => `${signed ? "i" : "u"}${bits}`;

/** A field's TypeScript type and how many bytes it takes in C; undefined for a field that cannot be read as a value. */
function fieldType(f: FormatField, userPointers: boolean): { ts: string; bytes: number; align: number } | undefined {
  const base = baseType(f.ctype);
  if (base.startsWith("__data_loc") || base.startsWith("__rel_loc")) return { ts: "u32", bytes: 4, align: 4 };
  if (base.includes("*")) return f.size === 8 ? { ts: userPointers ? "UserPtr<u8>" : "Ptr<u8>", bytes: 8, align: 8 } : undefined;
  if (f.length !== undefined) {
    if (f.length === 0 || f.size % f.length !== 0) return undefined;
    const width = f.size / f.length;
    if (width === 1 && base === "char") return { ts: `Str<${f.length}>`, bytes: f.size, align: 1 };
    if (![1, 2, 4, 8].includes(width)) return undefined;
    const known = C_INTS[base];
    return { ts: `FixedArray<${intName(width * 8, known ? known[1] : f.signed)}, ${f.length}>`, bytes: f.size, align: width };
  }
  if (base === "bool" || base === "_Bool") return f.size === 1 ? { ts: "boolean", bytes: 1, align: 1 } : undefined;
  const known = C_INTS[base];
  if (known && known[0] / 8 <= f.size) return { ts: intName(known[0], known[1]), bytes: known[0] / 8, align: known[0] / 8 };
  if ([1, 2, 4, 8].includes(f.size)) return { ts: intName(f.size * 8, f.signed), bytes: f.size, align: f.size };
  return undefined;
}

/** A C type without its qualifiers and keywords, spaces made single: a few hundred types, each worked out once. */
const baseTypes = new Map<string, string>();
function baseType(ctype: string): string {
  let base = baseTypes.get(ctype);
  if (base === undefined) {
    base = ctype.replace(/\b(const|volatile|struct|enum)\b/g, " ").replace(/\s+/g, " ").trim();
    baseTypes.set(ctype, base);
  }
  return base;
}

/** A field's name as an interface member (C names are identifiers; `__proto__` is quoted). */
const memberName = (name: string) => (name === "__proto__" ? `"__proto__"` : name);

/**
 * The interface of a tracepoint's record: its fields at the format's offsets, with `__pad<offset>`
 * byte arrays where C's rules would put a field earlier. A field it cannot type, or cannot place
 * (a packed record), ends the interface there, with a comment saying so.
 */
export function recordInterface(interfaceName: string, category: string, fields: FormatField[], formatFile: string): string {
  const members: string[] = [];
  let at = 0;
  const userPointers = category === "syscalls";
  for (const f of fields) {
    const t = fieldType(f, userPointers);
    const aligned = t ? alignUp(at, t.align) : at;
    if (!t || aligned > f.offset || (t.bytes > f.size && !f.ctype.includes("["))) {
      members.push(`  // '${f.declaration}' (offset ${f.offset}, ${f.size} bytes) and what follows it: not typed (${formatFile})`);
      break;
    }
    if (aligned < f.offset) members.push(`  readonly __pad${at}: FixedArray<u8, ${f.offset - at}>;`);
    members.push(`  /** \`${f.declaration}\`: offset ${f.offset}, ${f.size} byte${f.size === 1 ? "" : "s"} */`);
    members.push(`  readonly ${memberName(f.name)}: ${t.ts};`);
    at = f.offset + t.bytes;
  }
  return `interface ${interfaceName} {\n${members.join("\n")}\n}`;
}
