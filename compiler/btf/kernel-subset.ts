// The part of the kernel's declarations (declarations.ts) one probe uses, made for its compile
// (D130). A vmlinux declares 15,000 types and 56,000 functions: checking them all would cost a
// probe seconds. What a probe can reach is far less, and its source says which:
//   - the roots: the names it imports from "tsbpf/kernel", the functions it probes (their
//     parameters' structs), the raw tracepoints it reads (their arguments' structs),
//     task_struct if it calls currentTask();
//   - a struct reached through a field is declared with its fields only if the probe's source
//     uses that field's name after a `.` somewhere (`task.real_parent.tgid` uses real_parent,
//     so task_struct's real_parent field's struct is declared whole); otherwise it is declared
//     empty, a name that type-checks as a pointer's target;
//   - typedefs and enums that a declared field or parameter names.
// Names are the whole module's (nameTypes over the whole BTF), so a probe and the editor's
// vmlinux.d.ts agree on every name.

import { Btf } from "./btf.js";
import { Kind } from "./btf-kinds.js";
import { composite, constEnum, functionSignatures, ParameterText, rawTracepointArguments, rawTracepointTypes, tsbpfAugmentation } from "./declarations.js";
import type { TypeNames } from "./type-names.js";
import { TypeText } from "./type-text.js";

export interface SubsetRequest {
  /** Names imported from "tsbpf/kernel" (TypeScript names, as the module declares them). */
  types: readonly string[];
  /** Kernel functions whose prototypes the probe's handlers take (kprobe targets). */
  functions: readonly string[];
  /** Every name the source uses after a `.`. */
  properties: ReadonlySet<string>;
  /** Whether the probe calls currentTask(). */
  task: boolean;
  /** Raw tracepoints whose arguments its handlers read (rawTracepoint, tpBtf). */
  rawTracepoints: readonly string[];
}

export interface KernelSubset {
  /** The declarations: exported types, then the augmentation of "tsbpf". */
  text: string;
  /** The BTF id of each struct, union and enum declared, by TypeScript name. */
  composites: Map<string, number>;
  /** Requested names this BTF does not have. */
  missing: { types: string[]; functions: string[] };
}

const isComposite = (k: Kind) => k === Kind.Struct || k === Kind.Union;

export function kernelSubset(btf: Btf, names: TypeNames, request: SubsetRequest): KernelSubset {
  const missing = { types: [] as string[], functions: [] as string[] };
  const roots = rootTypes(btf, names, request.types, missing.types);
  const task = request.task ? btf.find("task_struct", Kind.Struct) : undefined;
  if (task !== undefined) roots.push(task);
  const functionIds: number[] = [];
  for (const name of request.functions) {
    const ids = btf.idsNamed(name).filter((id) => btf.kind(id) === Kind.Func && btf.kind(btf.ref(id)) === Kind.FuncProto);
    if (!ids.length) missing.functions.push(name);
    for (const id of ids) {
      functionIds.push(id);
      const proto = btf.ref(id);
      for (let i = 0; i < btf.vlen(proto); i++) roots.push(btf.paramType(proto, i));
    }
  }
  const raws: { event: string; typedef: number | undefined; caller: number | undefined }[] = [];
  for (const event of request.rawTracepoints) {
    const found = rawTracepointTypes(btf, event);
    if (found.typedef === undefined && found.caller === undefined) continue; // loading names it, with the kernel's nearest
    raws.push({ event, ...found });
    for (const id of [found.caller, found.typedef]) {
      const ptr = id === undefined ? 0 : btf.underlying(btf.ref(id));
      const proto = btf.kind(ptr) === Kind.FuncProto ? ptr : btf.kind(ptr) === Kind.Ptr ? btf.underlying(btf.ref(ptr)) : 0;
      if (btf.kind(proto) === Kind.FuncProto) for (let i = 1; i < btf.vlen(proto); i++) roots.push(btf.paramType(proto, i));
    }
  }
  const whole = expandedComposites(btf, roots, request.properties);
  const text = new TypeText(btf, names);
  const emitted = new Set<number>();
  const queue: number[] = [];
  text.onNamed = (id) => {
    if (!emitted.has(id)) {
      emitted.add(id);
      queue.push(id);
    }
  };
  for (const id of roots) text.of(id);
  const signatures = functionSignatures(btf, functionIds.sort((a, b) => a - b), text);
  const parameters = new ParameterText(btf, text);
  const raw = raws.map((r) => rawTracepointArguments(btf, r.event, r.typedef, r.caller, parameters) ?? "").join("");
  const declarations = new Map<number, string>();
  const composites = new Map<string, number>();
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    const decl = declaration(btf, id, names, text, whole);
    if (decl !== undefined) declarations.set(id, decl);
    if (isComposite(btf.kind(id)) || btf.kind(id) === Kind.Enum || btf.kind(id) === Kind.Enum64) composites.set(names.of[id]!, id);
  }
  const body = [...declarations.keys()].sort((a, b) => a - b).map((id) => declarations.get(id)!);
  const augmentation = signatures.count || task !== undefined || raw ? tsbpfAugmentation(signatures.lines, task !== undefined, raw) : "";
  return { text: body.join("") + augmentation, composites, missing };
}

/** The ids of the imported names: a struct, union or enum tag, or a typedef (its target's, if an alias). */
function rootTypes(btf: Btf, names: TypeNames, wanted: readonly string[], missing: string[]): number[] {
  const want = new Set(wanted);
  const found = new Map<string, number>();
  for (let id = 1; id < btf.count && found.size < want.size; id++) {
    const name = names.of[id];
    if (name !== undefined && want.has(name) && !found.has(name) && !names.aliases.has(id)) found.set(name, id);
  }
  for (const name of wanted) if (!found.has(name)) missing.push(name);
  return [...found.values()];
}

/**
 * The structs and unions declared with their fields: those the roots name (through pointers,
 * arrays and typedefs), and, from each of those, the struct of every field the source names.
 */
function expandedComposites(btf: Btf, roots: readonly number[], properties: ReadonlySet<string>): Set<number> {
  const whole = new Set<number>();
  const queue: number[] = [];
  const add = (type: number) => {
    const c = compositeOf(btf, type);
    if (c !== undefined && !whole.has(c)) {
      whole.add(c);
      queue.push(c);
    }
  };
  roots.forEach(add);
  for (let i = 0; i < queue.length; i++) {
    btf.namedFields(queue[i], (name, type) => {
      if (properties.has(btf.string(name))) add(type);
    });
  }
  return whole;
}

/** The struct or union `type` is, points to or is an array of (a forward declaration: its definition). */
export function compositeOf(btf: Btf, type: number): number | undefined {
  for (let steps = 0; steps < 64; steps++) {
    const t = btf.underlying(type, true);
    const kind = btf.kind(t);
    if (kind === Kind.Ptr) type = btf.ref(t);
    else if (kind === Kind.Array) type = btf.array(t).type;
    else if (isComposite(kind)) return t;
    else if (kind === Kind.Fwd) return btf.find(btf.name(t), btf.kindFlag(t) ? Kind.Union : Kind.Struct);
    else return undefined;
  }
  return undefined;
}

/** The declaration of a named type the subset uses; undefined for one that has none of its own. */
function declaration(btf: Btf, id: number, names: TypeNames, text: TypeText, whole: ReadonlySet<number>): string | undefined {
  const name = names.of[id]!;
  switch (btf.kind(id)) {
    case Kind.Struct:
    case Kind.Union:
      if (whole.has(id)) return composite(btf, id, names, text);
      return `/** ${btf.kind(id) === Kind.Struct ? "struct" : "union"} ${btf.name(id) || name}: ${btf.size(id)} bytes (declared whole where a probe names one of its fields) */\nexport interface ${name} {}\n`;
    case Kind.Fwd: {
      const definition = compositeOf(btf, id);
      if (definition !== undefined) {
        text.of(definition); // the name is the definition's: declare that
        return undefined;
      }
      return `/** ${btf.kindFlag(id) ? "union" : "struct"} ${btf.name(id)}: declared, never defined in this BTF */\nexport interface ${name} {}\n`;
    }
    case Kind.Enum:
    case Kind.Enum64:
      return names.aliases.has(id) ? undefined : constEnum(btf, id, names);
    case Kind.Typedef:
      if (names.aliases.has(id)) {
        text.of(btf.ref(id)); // `typedef struct foo foo`: the name is the target's
        return undefined;
      }
      return `export type ${name} = ${text.of(btf.ref(id))};\n`;
    default:
      return undefined;
  }
}
