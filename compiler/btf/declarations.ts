// A kernel's BTF as one TypeScript module of declarations (D140): structs and unions as
// interfaces (a doc comment with each field's offset; C11 anonymous members flattened into the
// parent), enums as const enums, typedefs as type aliases, the members of anonymous enums as
// constants. The kernel's functions go into tsbpf's `KernelFunctions` interface (a module
// augmentation, which types kprobe/fentry handlers' parameters), and `task_struct` into its
// `KernelTypes` (currentTask()'s type). Types come in type id order, functions too: the same BTF
// always gives the same text. A probe's compile declares the part of this it uses (kernel-subset.ts).

import { Btf } from "./btf.js";
import { Kind } from "./btf-kinds.js";
import { isIdentifier, propertyName, usableValueName } from "./ts-names.js";
import { IMPORTED, nameTypes, type TypeNames } from "./type-names.js";
import { TypeText } from "./type-text.js";

export interface DeclarationCounts {
  structs: number;
  unions: number;
  enums: number;
  typedefs: number;
  functions: number;
}

export interface KernelDeclarations {
  text: string;
  counts: DeclarationCounts;
}

/** `header`: the comment lines that say where the types come from. */
export function kernelDeclarations(btf: Btf, header: string[]): KernelDeclarations {
  const names = nameTypes(btf);
  const text = new TypeText(btf, names);
  const out = new TextChunks();
  out.push(...header.map((l) => `// ${l}\n`), `import type { ${IMPORTED.join(", ")} } from "tsbpf";\n`);
  const counts: DeclarationCounts = { structs: 0, unions: 0, enums: 0, typedefs: 0, functions: 0 };
  const constants: string[] = [];
  const functions: number[] = [];
  const rawTracepoints: number[] = [];
  const callers = new Map<string, number>();
  for (let id = 1; id < btf.count; id++) {
    switch (btf.kind(id)) {
      case Kind.Struct:
      case Kind.Union:
        if (names.of[id] === undefined) break; // anonymous: flattened, or declared when first used
        out.push(composite(btf, id, names, text));
        counts[btf.kind(id) === Kind.Struct ? "structs" : "unions"]++;
        break;
      case Kind.Fwd:
        if (!names.aliases.has(id)) out.push(`/** ${btf.kindFlag(id) ? "union" : "struct"} ${btf.name(id)}: declared, never defined in this BTF */\nexport interface ${names.of[id]} {}\n`);
        break;
      case Kind.Enum:
      case Kind.Enum64:
        if (names.of[id] === undefined) constants.push(...enumConstants(btf, id, names, text));
        else if (!names.aliases.has(id)) {
          out.push(constEnum(btf, id, names));
          counts.enums++;
        }
        break;
      case Kind.Typedef:
        if (btf.name(id).startsWith(RAW_TRACEPOINT_PREFIX)) rawTracepoints.push(id);
        if (names.aliases.has(id)) break;
        out.push(`export type ${names.of[id]} = ${text.of(btf.ref(id))};\n`);
        counts.typedefs++;
        break;
      case Kind.Func:
        if (btf.kind(btf.ref(id)) === Kind.FuncProto && isIdentifier(btf.name(id))) functions.push(id);
        if (btf.name(id).startsWith(RAW_TRACEPOINT_CALLER)) callers.set(btf.name(id).slice(RAW_TRACEPOINT_CALLER.length), id);
        break;
    }
  }
  for (let i = 0; i < text.pending.length; i++) out.push(composite(btf, text.pending[i], names, text));
  out.push(...constants);
  const signatures = functionSignatures(btf, functions, text);
  counts.functions = signatures.count;
  const parameters = new ParameterText(btf, text);
  const raw = rawTracepoints
    .map((id) => {
      const event = btf.name(id).slice(RAW_TRACEPOINT_PREFIX.length);
      return rawTracepointArguments(btf, event, id, callers.get(event), parameters) ?? "";
    })
    .join("");
  out.push(tsbpfAugmentation(signatures.lines, btf.find("task_struct", Kind.Struct) !== undefined, raw));
  return { text: out.text(), counts };
}

/**
 * Text gathered in pieces and joined a few thousand at a time: the pieces of a 10 MB module die
 * young that way, where kept for one final join they were promoted and collected again (a third
 * of `tsbpf types`' time went to the collector).
 */
class TextChunks {
  private pieces: string[] = [];
  private readonly chunks: string[] = [];

  push(...texts: string[]): void {
    for (const t of texts) this.pieces.push(t);
    if (this.pieces.length >= 2048) {
      this.chunks.push(this.pieces.join(""));
      this.pieces = [];
    }
  }

  text(): string {
    return this.chunks.join("") + this.pieces.join("");
  }
}

export function composite(btf: Btf, id: number, names: TypeNames, text: TypeText): string {
  const kind = btf.kind(id) === Kind.Struct ? "struct" : "union";
  const cName = btf.name(id) || "(anonymous)";
  let out = `/** ${kind} ${cName}: ${btf.size(id)} bytes */\nexport interface ${names.of[id]} {\n`;
  const seen = new Set<string>();
  const add = (parent: number, i: number, bitOffset: number) => {
    const name = btf.memberName(parent, i);
    if (seen.has(name)) return;
    seen.add(name);
    const type = btf.memberType(parent, i);
    const bitfield = btf.kindFlag(parent) ? btf.memberBitfieldSize(parent, i) : intBitfield(btf, type);
    out += `  /** ${offsetText(bitfield, bitOffset)} */\n  ${propertyName(name)}: ${text.of(type)};\n`;
  };
  fields(btf, id, 0, add, 0);
  return out + "}\n";
}

/** The named fields of a struct or union, with those of its anonymous members, at their offsets. */
export function fields(btf: Btf, id: number, base: number, add: (parent: number, i: number, bitOffset: number) => void, depth: number): void {
  if (depth > 64) throw btf.cycle(id);
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const bitOffset = base + btf.memberBitOffset(id, i);
    if (btf.memberNameOffset(id, i) !== 0) add(id, i, bitOffset);
    else {
      const t = btf.underlying(btf.memberType(id, i));
      const k = btf.kind(t);
      if (k === Kind.Struct || k === Kind.Union) fields(btf, t, bitOffset, add, depth + 1);
      // an unnamed bitfield is padding: nothing to read
    }
  }
}

/** Without the struct's kind flag, a bitfield's width is its INT's (0: not a bitfield). */
function intBitfield(btf: Btf, type: number): number {
  const t = btf.underlying(type, true);
  return btf.kind(t) === Kind.Int && btf.intBits(t) !== btf.size(t) * 8 ? btf.intBits(t) : 0;
}

/** "offset 8 bytes", and a bitfield's bits within that byte onward ("offset 8 bytes, bits 3..5"). */
function offsetText(width: number, bitOffset: number): string {
  const first = bitOffset & 7;
  const bytes = (bitOffset - first) / 8;
  return width === 0 && first === 0 ? `offset ${bytes} bytes` : `offset ${bytes} bytes, bits ${first}..${first + Math.max(width, 1) - 1}`;
}

export function constEnum(btf: Btf, id: number, names: TypeNames): string {
  const seen = new Set<string>();
  const members = btf.enumValues(id).flatMap(({ name, value }) => {
    if (seen.has(name)) return [];
    seen.add(name);
    return [`  ${propertyName(name)} = ${value},\n`];
  });
  return `export declare const enum ${names.of[id]} {\n${members.join("")}}\n`;
}

/** An anonymous enum's members as constants of its integer type, where the name is free. */
function enumConstants(btf: Btf, id: number, names: TypeNames, text: TypeText): string[] {
  const type = text.of(id);
  return btf.enumValues(id).flatMap(({ name, value }) => {
    if (!usableValueName(name) || names.values.has(name)) return [];
    names.values.take(name);
    return [`/** = ${value} */\nexport declare const ${name}: ${type};\n`];
  });
}

/**
 * The kernel's functions as `name(params): ret;` lines, in type id order; a name BTF
 * gives again (a static function in two files) only if its prototype differs. Built as one
 * string: the 50,000 functions of a vmlinux are a third of the module.
 */
export function functionSignatures(btf: Btf, ids: readonly number[], text: TypeText): { lines: string; count: number } {
  const params = new ParameterText(btf, text);
  const byName = new Map<string, string>();
  let lines = "";
  let count = 0;
  for (const id of ids) {
    const name = btf.name(id);
    const proto = btf.ref(id);
    const signature = `(${params.of(proto)}): ${text.of(btf.ref(proto))}`;
    const known = byName.get(name);
    if (known !== undefined && (known === signature || known.split("\n").includes(signature))) continue;
    byName.set(name, known === undefined ? signature : `${known}\n${signature}`);
    lines += `    ${propertyName(name)}${signature};\n`;
    count++;
  }
  return { lines, count };
}

/**
 * What the kernel's types add to tsbpf's module: its functions' prototypes (`signatures`, as
 * functionSignatures gives them), and task_struct as the current task's type.
 */
export function tsbpfAugmentation(signatures: string, hasTask: boolean, rawTracepoints = ""): string {
  const task = hasTask ? "  interface KernelTypes {\n    task_struct: task_struct;\n  }\n" : "";
  const raw = rawTracepoints ? `  interface RawTracepointArguments {\n${rawTracepoints}  }\n` : "";
  return `declare module "tsbpf" {\n  interface KernelFunctions {\n${signatures}  }\n${task}${raw}}\n`;
}

/** The prefix of a raw tracepoint's typedef in the kernel's BTF. */
export const RAW_TRACEPOINT_PREFIX = "btf_trace_";

/**
 * The prefix of the kernel's function that calls a raw tracepoint's probes (Linux 5.10), whose
 * parameters have names, unlike the typedef's. (__bpf_trace_<x> has them too, but for an event
 * of a DEFINE_EVENT class x is the class: sched_wakeup's is __bpf_trace_sched_wakeup_template.)
 */
const RAW_TRACEPOINT_CALLER = "__traceiter_";

/**
 * A raw tracepoint's arguments as an `event: { arg: T; … };` line (RawTracepointArguments): the
 * prototype of `__traceiter_<event>` (`caller`, a FUNC: its parameters have names), else that
 * of its btf_trace_<event> typedef (`typedef`: unnamed, so arg1, arg2, …); the first parameter
 * is the tracepoint's own `void *__data`, which no handler sees. Undefined without a prototype.
 */
export function rawTracepointArguments(btf: Btf, event: string, typedef: number | undefined, caller: number | undefined, parameters: ParameterText): string | undefined {
  let proto = caller !== undefined ? btf.ref(caller) : 0;
  if (btf.kind(proto) !== Kind.FuncProto && typedef !== undefined) {
    const ptr = btf.underlying(btf.ref(typedef));
    proto = btf.kind(ptr) === Kind.Ptr ? btf.underlying(btf.ref(ptr)) : 0;
  }
  if (btf.kind(proto) !== Kind.FuncProto || btf.vlen(proto) === 0) return undefined;
  const args = parameters.list(proto).slice(1);
  return `    ${propertyName(event)}: { ${args.map((a) => a + ";").join(" ")}${args.length ? " " : ""}};\n`;
}

/** A raw tracepoint's typedef and caller (for rawTracepointArguments), found by name. */
export function rawTracepointTypes(btf: Btf, event: string): { typedef: number | undefined; caller: number | undefined } {
  return { typedef: btf.find(RAW_TRACEPOINT_PREFIX + event, Kind.Typedef), caller: btf.find(RAW_TRACEPOINT_CALLER + event, Kind.Func) };
}

/** A function prototype's parameters: BTF's names (argN where none, or one TypeScript refuses). */
export class ParameterText {
  /** By string offset: the name as a parameter's, or "" where it cannot be one. */
  private readonly usable = new Map<number, string>();

  constructor(
    private readonly btf: Btf,
    private readonly text: TypeText,
  ) {}

  of(proto: number): string {
    const all = this.list(proto);
    let out = all.length ? all[0] : "";
    for (let i = 1; i < all.length; i++) out += ", " + all[i];
    return out;
  }

  /** Each parameter as `name: T`. */
  list(proto: number): string[] {
    const btf = this.btf;
    const n = btf.vlen(proto);
    const out: string[] = [];
    const used: string[] = [];
    for (let i = 0; i < n; i++) {
      const type = btf.paramType(proto, i);
      if (type === 0 && i === n - 1) {
        out.push("...rest: u64[]"); // C's `...`
        break;
      }
      let name = this.name(btf.paramNameOffset(proto, i)) || `arg${i}`;
      while (used.includes(name)) name += "_";
      used.push(name);
      out.push(`${name}: ${this.text.of(type)}`);
    }
    return out;
  }

  private name(offset: number): string {
    let name = this.usable.get(offset);
    if (name === undefined) {
      const text = this.btf.string(offset);
      name = usableValueName(text) && text !== "rest" ? text : "";
      this.usable.set(offset, name);
    }
    return name;
  }
}
