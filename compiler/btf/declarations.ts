// A kernel's BTF as one TypeScript module of declarations (D140): structs and unions as
// interfaces (a doc comment with each field's offset; C11 anonymous members flattened into the
// parent), enums as const enums, typedefs as type aliases, the members of anonymous enums as
// constants. The kernel's functions go into tsbpf's `KernelFunctions` interface (a module
// augmentation, which types kprobe/fentry handlers' parameters), and `task_struct` into its
// `KernelTypes` (currentTask()'s type). Types come in type id order, functions too: the same BTF
// always gives the same text. A probe's compile declares the part of this it uses (kernel-subset.ts).

import { Btf } from "./btf.js";
import { Kind } from "./btf-kinds.js";
import { WasmDeclarations } from "./declarations-wasm.js";
import { propertyName, usableValueName } from "./ts-names.js";
import { IMPORTED, nameTypes, type TypeNames } from "./type-names.js";
import { flat, TextBuffer } from "./text-buffer.js";
import { TypeText } from "./type-text.js";

export interface DeclarationCounts {
  structs: number;
  unions: number;
  enums: number;
  typedefs: number;
  functions: number;
}

export interface KernelDeclarations {
  /** The module's text, UTF-8. */
  bytes: Buffer;
  counts: DeclarationCounts;
}

/**
 * `header`: the comment lines that say where the types come from. `generator`: by WebAssembly
 * where it can (declarations-wasm.ts, D202: a new instance, or the one `btf` was read into), or
 * "typescript": always here, the reference the WebAssembly is tested against.
 */
export function kernelDeclarations(btf: Btf, header: string[], generator: "typescript" | WasmDeclarations | undefined = WasmDeclarations.load()): KernelDeclarations {
  const head = moduleHead(header);
  const made = generator === "typescript" ? undefined : generator?.declare(btf, head);
  if (made) return made;
  const names = nameTypes(btf);
  const text = new TypeText(btf, names);
  // A vmlinux's module is about 1.7 times its BTF: room for it at once, with no copy to grow.
  // All of it but the header is made of BTF's names and ASCII.
  const out = new TextBuffer(2 * btf.byteLength + 4096, btf.isAscii);
  out.writeUtf8(head);
  const counts: DeclarationCounts = { structs: 0, unions: 0, enums: 0, typedefs: 0, functions: 0 };
  const constants: string[] = [];
  const rawTracepoints: number[] = [];
  let hasTask = false;
  // Indexed loops over the lists of ids: a for-of in a cold process made an iterator result for each.
  const declared = btf.idsOf(Kind.Struct, Kind.Union, Kind.Fwd, Kind.Enum, Kind.Enum64, Kind.Typedef);
  for (let i = 0; i < declared.length; i++) {
    const id = declared[i];
    switch (btf.kind(id)) {
      case Kind.Struct:
      case Kind.Union:
        if (names.of[id] === undefined) break; // anonymous: flattened, or declared when first used
        out.write(composite(btf, id, names, text));
        if (btf.kind(id) === Kind.Struct) {
          counts.structs++;
          hasTask ||= btf.name(id) === "task_struct";
        } else counts.unions++;
        break;
      case Kind.Fwd:
        if (names.aliases.has(id)) break;
        out.write(`/** ${btf.kindFlag(id) ? "union" : "struct"} ${btf.name(id)}: declared, never defined in this BTF */\nexport interface ${names.of[id]} {}\n`);
        break;
      case Kind.Enum:
      case Kind.Enum64:
        if (names.of[id] === undefined) constants.push(...enumConstants(btf, id, names, text));
        else if (!names.aliases.has(id)) {
          out.write(constEnum(btf, id, names));
          counts.enums++;
        }
        break;
      case Kind.Typedef:
        if (btf.nameStartsWith(id, RAW_TRACEPOINT_PREFIX)) rawTracepoints.push(id);
        if (names.aliases.has(id)) break;
        out.write(`export type ${names.of[id]} = ${text.of(btf.ref(id))};\n`);
        counts.typedefs++;
        break;
    }
  }
  for (let i = 0; i < text.pending.length; i++) out.write(composite(btf, text.pending[i], names, text));
  for (const c of constants) out.write(c);
  out.write(AUGMENTATION_START);
  const functions = btf.idsOf(Kind.Func);
  counts.functions = writeFunctionSignatures(out, btf, functions, text, true);
  const callers = new Map<string, number>();
  for (let i = 0; i < functions.length; i++)
    if (btf.nameStartsWith(functions[i], RAW_TRACEPOINT_CALLER)) callers.set(btf.name(functions[i]).slice(RAW_TRACEPOINT_CALLER.length), functions[i]);
  const parameters = new ParameterText(btf, text);
  const raw = rawTracepoints.map((id) => {
    const event = btf.name(id).slice(RAW_TRACEPOINT_PREFIX.length);
    return rawTracepointArguments(btf, event, id, callers.get(event), parameters) ?? "";
  });
  out.write(augmentationEnd(hasTask, raw.join("")));
  return { bytes: out.view(), counts };
}

/** The module's first lines: `header` as comments, and the import of tsbpf's types. */
export const moduleHead = (header: string[]): string => header.map((line) => `// ${line}\n`).join("") + `import type { ${IMPORTED.join(", ")} } from "tsbpf";\n`;

export function composite(btf: Btf, id: number, names: TypeNames, text: TypeText): string {
  const kind = btf.kind(id) === Kind.Struct ? "struct" : "union";
  const cName = btf.name(id) || "(anonymous)";
  let out = `/** ${kind} ${cName}: ${btf.size(id)} bytes */\nexport interface ${names.of[id]} {\n`;
  const seen = new SeenNames();
  btf.namedFields(id, (offset, type, bitOffset, bitfieldSize) => {
    const name = btf.string(offset);
    if (!seen.first(name)) return;
    const bitfield = bitfieldSize >= 0 ? bitfieldSize : intBitfield(btf, type);
    out += fieldHead(bitfield, bitOffset) + propertyName(name, btf.identifierAt(offset)) + text.asField(type);
  });
  return out + "}\n";
}

/**
 * The names a struct's fields have taken: a short list searched in turn, a Set once it is long.
 * Most structs have a few fields: a Set for each cost as much as reading their names.
 */
class SeenNames {
  private readonly few: string[] = [];
  private many: Set<string> | undefined;

  /** Whether `name` is new (now seen). */
  first(name: string): boolean {
    if (this.many) return this.many.size !== this.many.add(name).size;
    if (this.few.includes(name)) return false;
    this.few.push(name);
    if (this.few.length > 32) this.many = new Set(this.few);
    return true;
  }
}

/** Without the struct's kind flag, a bitfield's width is its INT's (0: not a bitfield). */
function intBitfield(btf: Btf, type: number): number {
  const t = btf.underlying(type, true);
  return btf.kind(t) === Kind.Int && btf.intBits(t) !== btf.size(t) * 8 ? btf.intBits(t) : 0;
}

/**
 * A field's doc comment and indent: `  /** offset 8 bytes *\/\n  `, and a bitfield's bits within
 * that byte onward ("offset 8 bytes, bits 3..5"). Those of whole bytes are made once each: a
 * vmlinux's 63,000 fields are at a few thousand offsets.
 */
function fieldHead(width: number, bitOffset: number): string {
  const first = bitOffset & 7;
  const bytes = (bitOffset - first) / 8;
  if (width !== 0 || first !== 0) return `  /** offset ${bytes} bytes, bits ${first}..${first + Math.max(width, 1) - 1} */\n  `;
  if (bytes >= HEADS_KEPT) return `  /** offset ${bytes} bytes */\n  `;
  return (byteHeads[bytes] ??= flat(`  /** offset ${bytes} bytes */\n  `));
}

const HEADS_KEPT = 1 << 16;
const byteHeads: string[] = [];

export function constEnum(btf: Btf, id: number, names: TypeNames): string {
  let out = `export declare const enum ${names.of[id]} {\n`;
  const seen = new Set<string>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const offset = btf.enumNameOffset(id, i);
    const name = btf.string(offset);
    if (seen.has(name)) continue;
    seen.add(name);
    out += `  ${propertyName(name, btf.identifierAt(offset))} = ${btf.enumValue(id, i)},\n`;
  }
  return out + "}\n";
}

/** An anonymous enum's members as constants of its integer type, where the name is free. */
function enumConstants(btf: Btf, id: number, names: TypeNames, text: TypeText): string[] {
  const type = text.of(id);
  const out: string[] = [];
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const name = btf.enumName(id, i);
    if (!usableValueName(name) || names.values.has(name)) continue;
    names.values.take(name);
    out.push(`/** = ${btf.enumValue(id, i)} */\nexport declare const ${name}: ${type};\n`);
  }
  return out;
}

/**
 * The kernel's functions as `name(params): ret;` lines, in type id order; a name BTF
 * gives again (a static function in two files) only if its prototype differs.
 */
export function functionSignatures(btf: Btf, ids: readonly number[], text: TypeText): { lines: string; count: number } {
  const out = new TextBuffer();
  const count = writeFunctionSignatures(out, btf, ids, text);
  return { lines: out.toString(), count };
}

/**
 * functionSignatures' lines, written to `out` (of the FUNCs `ids`, those whose type is a
 * FUNC_PROTO); how many. A name seen before is written again
 * only with another signature: each line's name is a key into typed arrays (string-keys.ts),
 * not a string kept in a Map, whose 56,000 entries lived through the young generation's collections.
 */
function writeFunctionSignatures(out: TextBuffer, btf: Btf, ids: ArrayLike<number>, text: TypeText, identifiersOnly = false): number {
  const params = new ParameterText(btf, text);
  /** Each prototype's `(params): ret;\n`, by its id: a vmlinux's 56,000 functions have 25,000 prototypes. */
  const signatures = new Array<string | undefined>(btf.count);
  const keys = btf.stringKeys(ids.length);
  /** Of each line written: its prototype, and the previous line of its name (index + 1, or 0). */
  const lineProto = new Int32Array(ids.length);
  const previous = new Int32Array(ids.length);
  /** Of each name's key: its last line (index + 1, or 0). */
  const last = new Int32Array(ids.length);
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const proto = btf.ref(id);
    if (btf.kind(proto) !== Kind.FuncProto) continue;
    // One string per function, its name, written as it is (kernelDeclarations's whole-vmlinux pass
    // leaves out the few named as no identifier: `identifiersOnly`).
    const identifier = btf.identifierAt(btf.nameOffset(id));
    if (identifiersOnly && !identifier) continue;
    const signature = (signatures[proto] ??= flat(`(${params.of(proto)}): ${text.of(btf.ref(proto))};\n`));
    const key = keys.key(btf.nameOffset(id));
    let line = last[key];
    while (line !== 0 && signatures[lineProto[line - 1]] !== signature) line = previous[line - 1];
    if (line !== 0) continue; // the same name and signature again
    out.write("    " + propertyName(btf.name(id), identifier) + signature);
    lineProto[count] = proto;
    previous[count] = last[key];
    last[key] = ++count;
  }
  return count;
}

const AUGMENTATION_START = 'declare module "tsbpf" {\n  interface KernelFunctions {\n';
/** The end of the augmentation: task_struct as currentTask()'s type, raw tracepoints' arguments (`event: {…};` lines). */
const augmentationEnd = (hasTask: boolean, rawTracepoints: string) =>
  `  }\n${hasTask ? "  interface KernelTypes {\n    task_struct: task_struct;\n  }\n" : ""}${rawTracepoints ? `  interface RawTracepointArguments {\n${rawTracepoints}  }\n` : ""}}\n`;

/**
 * What the kernel's types add to tsbpf's module: its functions' prototypes (`signatures`, as
 * functionSignatures gives them), and task_struct as the current task's type.
 */
export function tsbpfAugmentation(signatures: string, hasTask: boolean, rawTracepoints = ""): string {
  return AUGMENTATION_START + signatures + augmentationEnd(hasTask, rawTracepoints);
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

  /** The parameters as a signature lists them: `name: T, name: T` (made as one string: no list of them). */
  of(proto: number): string {
    let text = "";
    for (let i = 0, n = this.btf.vlen(proto); i < n; i++) text += i === 0 ? this.parameter(proto, i) : ", " + this.parameter(proto, i);
    return text;
  }

  /** Each parameter as `name: T`. */
  list(proto: number): string[] {
    const out: string[] = [];
    for (let i = 0, n = this.btf.vlen(proto); i < n; i++) out.push(this.parameter(proto, i));
    return out;
  }

  /** The names given to the parameters of the prototype being spelled, before the current one. */
  private readonly used: string[] = [];

  /** Parameter `i` as `name: T`; call for 0, 1, 2, … in turn (a name taken before it gets `_` appended). */
  private parameter(proto: number, i: number): string {
    const btf = this.btf;
    const type = btf.paramType(proto, i);
    if (type === 0 && i === btf.vlen(proto) - 1) return "...rest: u64[]"; // C's `...`
    if (i === 0) this.used.length = 0;
    let name = this.name(btf.paramNameOffset(proto, i)) || `arg${i}`;
    while (this.used.includes(name)) name += "_";
    this.used.push(name);
    return name + ": " + this.text.of(type);
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
