// A small typed builder for textual LLVM IR. Lowering talks to this API; only this file and
// ir-types.ts know how IR is spelled, including the typed/opaque pointer split between LLVM 14
// and 15+.

import { UniqueNames } from "./unique-names.js";
import { escapeBytes, type DebugInfo, type MDRef } from "./debug-info.js";
import { fnType, i32, i64, i8, mangledType, ptrTo, sameType, typeText, type FnType, type IRType, type PointerMode } from "./ir-types.js";

export interface Value {
  readonly type: IRType;
  readonly ref: string; // `%t3`, `@name`, `42`, or a constant expression
}

/**
 * A C identifier for a TypeScript one: BTF names functions and parameters, and the kernel takes
 * only ASCII letters, digits and `_` there. Other characters (`$`, `é`, `变`) become `_<hex>`.
 */
export function cIdentifier(name: string): string {
  const c = [...name].map((ch) => (/[A-Za-z0-9_]/.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}`)).join("");
  return /^[0-9]/.test(c) ? `_${c}` : c || "_";
}

export const constInt = (type: IRType, v: bigint | number): Value => ({ type, ref: String(v) });

/** The null address, as helpers such as bpf_map_lookup_elem return it. */
export const nullPointer: Value = { type: ptrTo(i8), ref: "null" };

/** Whether a value is an integer constant (as constInt writes them). */
export const isConstInt = (v: Value): boolean => /^-?\d+$/.test(v.ref);

export interface GlobalOptions {
  name: string;
  type: IRType;
  init: string | "zeroinitializer";
  section?: string;
  align?: number;
  constant?: boolean;
  linkage?: "internal" | "dso_local";
  dbg?: MDRef;
  used?: boolean; // keep it alive through O2 even when nothing references it
}

/** A function's signature and where it goes: internal (module functions) or a program. */
export interface FunctionDecl {
  name: string;
  ret: IRType;
  params: { name: string; type: IRType }[];
  section?: string;
  dbg?: MDRef;
  linkage?: "internal" | "dso_local";
  /** Always inlined where it is called (LLVM's alwaysinline): e.g. it cannot be a BPF function. */
  alwaysInline?: boolean;
}

/** A global as the whole module defines it, and as another part of the module refers to it. */
interface GlobalEntry {
  name: string;
  /** Unset while reserved: a global whose contents are known only once code is lowered. */
  definition: string | undefined;
  /** Its debug info (BTF), for the part that defines it. */
  dbg: MDRef | undefined;
  /**
   * `external`, for globals the parts share (the licence, the parameters): the first part
   * printed after the definition defines them, later parts that use them declare them.
   * Unset for internal globals (format strings): copied into each part that uses them.
   */
  declaration: string | undefined;
  /**
   * For a map (`.maps`): a weak copy of the definition, which later parts that use the map print
   * instead of a declaration. An extern map's BTF leaves a struct value a forward declaration
   * (LLVM's BTF writer expands a map's key and value only for a definition), and libbpf's linker
   * then cannot size the value; it takes a weak definition that matches the strong one.
   */
  weakDefinition?: string;
  /** A part has printed the definition (shared globals are defined once). */
  defined: boolean;
}

export class IRModule {
  private readonly globals = new Map<string, GlobalEntry>();
  private readonly functions: IRFunction[] = [];
  private readonly functionsByRef = new Map<string, IRFunction>();
  private readonly used: Value[] = [];
  private readonly names = new UniqueNames();
  private readonly declarations = new Map<string, string>();
  private readonly namedTypes = new Map<string, IRType | undefined>();

  constructor(
    readonly mode: PointerMode,
    readonly debug: DebugInfo,
  ) {}

  ty(t: IRType): string {
    return typeText(t, this.mode);
  }

  /**
   * A name not yet used by a global or function, derived from `base`. The suffix that makes it
   * unique is `_N`: names of globals with debug info are BTF names, which must be C identifiers.
   */
  uniqueName(base: string): string {
    return this.names.take(base.replace(/[^A-Za-z0-9_.]/g, "_") || "g");
  }

  addGlobal(o: GlobalOptions): Value {
    const v = this.reserveGlobal(o.name, o.type, o.linkage);
    this.defineGlobal(o);
    return v;
  }

  /**
   * A global that code may refer to now and that `defineGlobal` defines later (e.g. a map
   * sized by everything lowered): parts printed meanwhile declare it.
   */
  reserveGlobal(name: string, type: IRType, linkage: GlobalOptions["linkage"] = "dso_local"): Value {
    const declaration = linkage === "internal" ? undefined : `@${name} = external dso_local global ${this.ty(type)}`;
    this.globals.set(name, { name, definition: undefined, dbg: undefined, declaration, defined: false });
    return { type: ptrTo(type), ref: `@${name}` };
  }

  defineGlobal(o: GlobalOptions): void {
    const entry = this.globals.get(o.name);
    if (!entry) throw new Error(`global @${o.name} was not reserved`);
    const kind = o.constant ? "constant" : "global";
    const parts = [`@${o.name} = ${o.linkage ?? "dso_local"} ${kind} ${this.ty(o.type)} ${o.init}`];
    if (o.section) parts.push(`section "${o.section}"`);
    parts.push(`align ${o.align ?? 8}`);
    entry.definition = parts.join(", ") + (o.dbg ? `, !dbg ${o.dbg}` : "");
    entry.dbg = o.dbg;
    if (o.section === ".maps" && entry.declaration) entry.weakDefinition = entry.definition.replace(/^(@\S+ = )\S+ /, "$1weak dso_local ");
    if (o.used) this.used.push({ type: ptrTo(o.type), ref: `@${o.name}` });
  }

  /** A named struct type; its body may come later (parts printed before then see it opaque). */
  namedType(name: string, body?: IRType): IRType {
    this.namedTypes.set(name, body);
    return { kind: "named", name };
  }

  /** A NUL-terminated byte string constant; returns a pointer to its first byte. */
  addCString(
    name: string,
    text: string,
    opts: { section?: string; dbg?: MDRef; linkage?: GlobalOptions["linkage"]; used?: boolean; latin1?: boolean } = {},
  ): { ptr: Value; size: number } {
    const bytes = Buffer.concat([Buffer.from(text, opts.latin1 ? "latin1" : "utf8"), Buffer.from([0])]);
    const type: IRType = { kind: "array", length: bytes.length, of: i8 };
    const g = this.addGlobal({
      name,
      type,
      init: `c"${escapeBytes(bytes)}"`,
      constant: true,
      linkage: opts.linkage ?? "internal",
      align: 1,
      section: opts.section,
      dbg: opts.dbg,
      used: opts.used,
    });
    return { ptr: this.firstElement(g), size: bytes.length };
  }

  /** `&g[0]` as a constant expression: `i8*` into an array global. */
  firstElement(arrayPtr: Value): Value {
    const arr = (arrayPtr.type as { to: IRType }).to as Extract<IRType, { kind: "array" }>;
    if (this.mode.opaquePointers) return { type: ptrTo(arr.of), ref: arrayPtr.ref };
    const at = this.ty(arr);
    return {
      type: ptrTo(arr.of),
      ref: `getelementptr inbounds (${at}, ${at}* ${arrayPtr.ref}, i64 0, i64 0)`,
    };
  }

  addFunction(o: FunctionDecl): IRFunction {
    const f = new IRFunction(this, o);
    this.functions.push(f);
    this.functionsByRef.set(`@${o.name}`, f);
    if (o.linkage !== "internal") this.used.push({ type: ptrTo(fnType(o.ret, o.params.map((p) => p.type))), ref: `@${o.name}` });
    return f;
  }

  /** Declares an intrinsic once; returns its name. */
  intrinsic(name: string, signature: string): string {
    if (!this.declarations.has(name)) this.declarations.set(name, `declare ${signature.replace("@NAME", `@${name}`)}`);
    return `@${name}`;
  }

  /** The function `ref` (`@name`) names, if the module defines it. */
  functionNamed(ref: string): IRFunction | undefined {
    return this.functionsByRef.get(ref);
  }

  /** The whole module. */
  text(): string {
    const globals = [...this.globals.values()];
    const texts = this.functionTexts(this.functions);
    const cuGlobals = globals.flatMap((g) => (g.definition && g.dbg ? [g.dbg] : []));
    return this.print(texts, globals.flatMap((g) => g.definition ?? []), cuGlobals, this.used);
  }

  /**
   * The next part of the module, for LLVM to build on its own thread: these programs, the
   * module functions they call, the internal globals they use, and the shared globals (D20).
   * Printed in order; the parts' objects, linked, are the whole module.
   */
  partText(programs: IRFunction[]): string {
    const included = new Set<IRFunction>();
    const visit = (f: IRFunction): void => {
      if (included.has(f)) return;
      included.add(f);
      for (const c of f.callees.keys()) {
        const callee = this.functionsByRef.get(c);
        if (callee) visit(callee);
      }
    };
    programs.forEach(visit);
    const functions = this.functions.filter((f) => included.has(f));
    const texts = this.functionTexts(functions);
    const referenced = new Set<string>();
    for (const t of texts) for (const m of t.matchAll(/@([A-Za-z0-9_.$]+)/g)) referenced.add(m[1]);
    const globals: string[] = [];
    const cuGlobals: MDRef[] = [];
    const definedHere = new Set<string>();
    for (const g of this.globals.values()) {
      if (!g.declaration) {
        if (g.definition && referenced.has(g.name)) globals.push(g.definition);
      } else if (g.definition && !g.defined) {
        g.defined = true;
        globals.push(g.definition);
        definedHere.add(`@${g.name}`);
        if (g.dbg) cuGlobals.push(g.dbg);
      } else if (referenced.has(g.name) && g.weakDefinition) {
        globals.push(g.weakDefinition);
        if (g.dbg) cuGlobals.push(g.dbg);
      } else if (referenced.has(g.name)) {
        if (!g.defined) throw new Error(`internal compiler error: @${g.name} is used before it is defined`);
        const dbg = g.dbg && this.debug.declarationOf(g.dbg);
        globals.push(g.declaration + (dbg ? `, !dbg ${dbg}` : ""));
        if (dbg) cuGlobals.push(dbg);
      }
    }
    const fnRefs = new Set(functions.map((f) => `@${f.decl.name}`));
    const used = this.used.filter((v) => fnRefs.has(v.ref) || definedHere.has(v.ref));
    return this.print(texts, globals, cuGlobals, used);
  }

  /**
   * The functions' text. One called from one place only is inlined there (LLVM would do it
   * too, but after optimising it on its own first: that is work thrown away).
   */
  private functionTexts(functions: IRFunction[]): string[] {
    const calls = new Map<string, number>();
    for (const f of functions) for (const [c, n] of f.callees) calls.set(c, (calls.get(c) ?? 0) + n);
    return functions.map((f) => f.text(f.decl.alwaysInline || (f.decl.linkage === "internal" && calls.get(`@${f.decl.name}`) === 1) ? 1 : 0));
  }

  private print(functionTexts: string[], globals: string[], cuGlobals: MDRef[], used: Value[]): string {
    const out = [
      `target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"`,
      `target triple = "bpf"`,
      "",
      ...[...this.namedTypes].map(([name, body]) => `%${name} = type ${body ? this.ty(body) : "opaque"}`),
      ...globals,
      ...this.declarations.values(),
    ];
    if (used.length) {
      const bytePtr = this.ty(ptrTo(i8));
      const items = used.map((v) =>
        this.mode.opaquePointers ? `ptr ${v.ref}` : `${bytePtr} bitcast (${this.ty(v.type)} ${v.ref} to ${bytePtr})`,
      );
      out.push(`@llvm.compiler.used = appending global [${items.length} x ${bytePtr}] [${items.join(", ")}], section "llvm.metadata"`);
    }
    out.push("");
    for (const t of functionTexts) out.push(t, "");
    out.push(`attributes #0 = { nounwind "frame-pointer"="all" }`, `attributes #1 = { alwaysinline nounwind "frame-pointer"="all" }`, "");
    out.push(this.debug.text(cuGlobals));
    return out.join("\n");
  }
}

export class Block {
  readonly instructions: string[] = [];
  terminated = false;
  constructor(readonly label: string) {}
}

export class IRFunction {
  readonly params: Value[];
  /** What this function calls (`@f`) and how many times: which functions a part needs. */
  readonly callees = new Map<string, number>();
  readonly entry: Block;
  private readonly blocks: Block[] = [];
  private readonly allocas: string[] = [];
  private temp = 0;
  private labels = new Map<string, number>();

  constructor(
    readonly module: IRModule,
    readonly decl: FunctionDecl,
  ) {
    this.params = decl.params.map((p) => ({ type: p.type, ref: `%${p.name}` }));
    this.entry = this.newBlock("entry");
  }

  newTemp(): string {
    return `%t${this.temp++}`;
  }

  newBlock(hint: string): Block {
    const n = this.labels.get(hint) ?? 0;
    this.labels.set(hint, n + 1);
    const b = new Block(n ? `${hint}${n}` : hint);
    this.blocks.push(b);
    return b;
  }

  /**
   * A block that runs before `entry` (created on first use, e.g. to look up a scratch buffer);
   * whoever creates it ends it with a branch to `entry`.
   */
  prologue(): Block {
    if (this.blocks[0].label !== "prologue") this.blocks.unshift(new Block("prologue"));
    return this.blocks[0];
  }

  private readonly slots = new Map<string, Value>();

  /**
   * The function's one stack slot for `role`, made on first use: for values a helper copies
   * before it returns (a map key), which every call can then share.
   */
  slotFor(role: string, type: IRType, align = 8): Value {
    let slot = this.slots.get(role);
    if (!slot) this.slots.set(role, (slot = this.alloca(type, align)));
    return slot;
  }

  /** Stack slots live in the entry block so that O2 can promote them to registers. */
  alloca(type: IRType, align = 8): Value {
    const ref = this.newTemp();
    this.allocas.push(`  ${ref} = alloca ${this.module.ty(type)}, align ${align}`);
    return { type: ptrTo(type), ref };
  }

  /** `attributes`: the attribute group, #0 or #1 (alwaysinline). */
  text(attributes: 0 | 1 = 0): string {
    const ty = (t: IRType) => this.module.ty(t);
    const params = this.decl.params.map((p) => `${ty(p.type)} %${p.name}`).join(", ");
    const linkage = this.decl.linkage ?? "dso_local";
    let head = `define ${linkage} ${ty(this.decl.ret)} @${this.decl.name}(${params}) #${attributes}`;
    if (this.decl.section) head += ` section "${this.decl.section}"`;
    if (this.decl.dbg) head += ` !dbg ${this.decl.dbg}`;
    const body: string[] = [];
    this.blocks.forEach((b, i) => {
      body.push(`${b.label}:`);
      if (i === 0) body.push(...this.allocas);
      body.push(...b.instructions);
    });
    return `${head} {\n${body.join("\n")}\n}`;
  }
}

/** Appends instructions at a position, each tagged with the current source location. */
export class IRBuilder {
  block: Block;
  location: MDRef | undefined;

  constructor(readonly fn: IRFunction) {
    this.block = fn.entry;
  }

  private get m(): IRModule {
    return this.fn.module;
  }

  /** `metadata`: more attachments than the location (`!llvm.preserve.access.index !7`). */
  private emit(text: string, metadata = ""): void {
    if (this.block.terminated) return; // unreachable code after return/break: dropped
    this.block.instructions.push(`  ${text}${this.location ? `, !dbg ${this.location}` : ""}${metadata}`);
  }

  private valueOf(type: IRType, expr: string, metadata?: string): Value {
    const ref = this.fn.newTemp();
    this.emit(`${ref} = ${expr}`, metadata);
    return { type, ref };
  }

  /**
   * CO-RE (BPF's compile once, run everywhere): the address of member `index` of the struct or
   * union `base` points to, which the BPF backend records as a relocation that libbpf fixes to
   * where the running kernel has that member. `container`: the struct's (or union's) IR type and
   * debug type, whose name and members' names libbpf matches against the kernel's BTF.
   */
  preserveAccess(base: Value, container: { type: IRType; debugType: MDRef; union: boolean }, index: number, member: IRType): Value {
    const m = this.m;
    const attach = `, !llvm.preserve.access.index ${container.debugType}`;
    const at = ptrTo(member);
    const base_ = `${m.ty(base.type)} elementtype(${m.ty(container.type)}) ${base.ref}`;
    if (container.union) {
      const name = m.intrinsic(`llvm.preserve.union.access.index.${mangledType(base.type, m.mode)}.${mangledType(base.type, m.mode)}`, `${m.ty(base.type)} @NAME(${m.ty(base.type)}, i32 immarg)`);
      const same = this.valueOf(base.type, `call ${m.ty(base.type)} ${name}(${m.ty(base.type)} ${base.ref}, i32 ${index})`, attach);
      return this.cast("bitcast", same, at);
    }
    const name = m.intrinsic(`llvm.preserve.struct.access.index.${mangledType(at, m.mode)}.${mangledType(base.type, m.mode)}`, `${m.ty(at)} @NAME(${m.ty(base.type)}, i32 immarg, i32 immarg)`);
    return this.valueOf(at, `call ${m.ty(at)} ${name}(${base_}, i32 ${index}, i32 ${index})`, attach);
  }

  /** CO-RE: a fact about the member `field` points to (a preserveAccess result), as the running kernel has it: 2 = whether it exists. */
  fieldInfo(field: Value, kind: number): Value {
    const m = this.m;
    const name = m.intrinsic(`llvm.bpf.preserve.field.info.${mangledType(field.type, m.mode)}`, `i32 @NAME(${m.ty(field.type)}, i64 immarg)`);
    return this.valueOf(i32, `call i32 ${name}(${m.ty(field.type)} ${field.ref}, i64 ${kind})`);
  }

  /** CO-RE: a fact about an enum's member (`name`: "MEMBER:value") as the running kernel has it: 10 = whether it exists, 11 = its value. */
  enumValueInfo(debugType: MDRef, sequence: number, name: Value, kind: number): Value {
    const m = this.m;
    const fn = m.intrinsic(`llvm.bpf.preserve.enum.value`, `i64 @NAME(i32, ${m.ty(name.type)}, i64)`);
    return this.valueOf(i64, `call i64 ${fn}(i32 ${sequence}, ${m.ty(name.type)} ${name.ref}, i64 ${kind})`, `, !llvm.preserve.access.index ${debugType}`);
  }

  /** CO-RE: a fact about a type as the running kernel has it (1 = its size). `sequence` keeps calls apart. */
  typeInfo(debugType: MDRef, sequence: number, kind: number): Value {
    const name = this.m.intrinsic("llvm.bpf.preserve.type.info", "i32 @NAME(i32, i64)");
    return this.valueOf(i32, `call i32 ${name}(i32 ${sequence}, i64 ${kind})`, `, !llvm.preserve.access.index ${debugType}`);
  }

  positionAt(b: Block): void {
    this.block = b;
  }

  binary(op: string, a: Value, b: Value): Value {
    return this.valueOf(a.type, `${op} ${this.m.ty(a.type)} ${a.ref}, ${b.ref}`);
  }

  icmp(pred: string, a: Value, b: Value): Value {
    return this.valueOf({ kind: "int", bits: 1 }, `icmp ${pred} ${this.m.ty(a.type)} ${a.ref}, ${b.ref}`);
  }

  cast(op: "zext" | "sext" | "trunc" | "inttoptr" | "ptrtoint" | "bitcast", v: Value, to: IRType): Value {
    if (sameType(v.type, to)) return v;
    // Fold integer constants, so that later steps (e.g. division by a constant) still see one.
    if (isConstInt(v) && v.type.kind === "int" && to.kind === "int" && (op === "zext" || op === "sext" || op === "trunc")) {
      const x = BigInt(v.ref);
      const from = BigInt.asUintN(v.type.bits, x);
      const wide = op === "sext" ? BigInt.asIntN(v.type.bits, x) : from;
      return { type: to, ref: String(to.bits === 1 ? BigInt.asUintN(1, wide) : BigInt.asIntN(to.bits, wide)) };
    }
    if (op === "bitcast" && this.m.mode.opaquePointers && v.type.kind === "ptr" && to.kind === "ptr") return { type: to, ref: v.ref };
    return this.valueOf(to, `${op} ${this.m.ty(v.type)} ${v.ref} to ${this.m.ty(to)}`);
  }

  /**
   * `*ptr += v` as one atomic instruction, its old value unused: BPF's atomic add (XADD), which
   * every BPF CPU version has.
   */
  atomicAdd(ptr: Value, v: Value): void {
    this.valueOf(v.type, `atomicrmw add ${this.m.ty(ptr.type)} ${ptr.ref}, ${this.m.ty(v.type)} ${v.ref} seq_cst`);
  }

  /** Field `index` of a first-class struct value. */
  extractValue(agg: Value, index: number): Value {
    const t = agg.type as Extract<IRType, { kind: "struct" }>;
    return this.valueOf(t.fields[index], `extractvalue ${this.m.ty(agg.type)} ${agg.ref}, ${index}`);
  }

  /** `agg` with field `index` replaced by `v`. */
  insertValue(agg: Value, v: Value, index: number): Value {
    return this.valueOf(agg.type, `insertvalue ${this.m.ty(agg.type)} ${agg.ref}, ${this.m.ty(v.type)} ${v.ref}, ${index}`);
  }

  select(cond: Value, a: Value, b: Value): Value {
    return this.valueOf(a.type, `select i1 ${cond.ref}, ${this.m.ty(a.type)} ${a.ref}, ${this.m.ty(b.type)} ${b.ref}`);
  }

  /** `volatile` keeps LLVM from folding a load of a value that is set at load time. */
  load(ptr: Value, align?: number, volatile = false): Value {
    const t = (ptr.type as { to: IRType }).to;
    const a = align ? `, align ${align}` : "";
    return this.valueOf(t, `load ${volatile ? "volatile " : ""}${this.m.ty(t)}, ${this.m.ty(ptr.type)} ${ptr.ref}${a}`);
  }

  store(v: Value, ptr: Value, align?: number): void {
    const a = align ? `, align ${align}` : "";
    this.emit(`store ${this.m.ty(v.type)} ${v.ref}, ${this.m.ty(ptr.type)} ${ptr.ref}${a}`);
  }

  /** getelementptr with i32/i64 indices; `resultType` is the addressed element type. */
  gep(base: Value, indices: Value[], resultType: IRType): Value {
    const pointee = (base.type as { to: IRType }).to;
    const idx = indices.map((i) => `${this.m.ty(i.type)} ${i.ref}`).join(", ");
    return this.valueOf(ptrTo(resultType), `getelementptr inbounds ${this.m.ty(pointee)}, ${this.m.ty(base.type)} ${base.ref}, ${idx}`);
  }

  /** A pointer `offset` bytes into the storage at `base`, typed as pointing to `to`. */
  byteOffset(base: Value, offset: Value | number, to: IRType): Value {
    const bytes = this.cast("bitcast", base, ptrTo(i8));
    const off = typeof offset === "number" ? { type: i64, ref: String(offset) } : offset;
    const p = off.ref === "0" ? bytes : this.valueOf(ptrTo(i8), `getelementptr inbounds i8, ${this.m.ty(ptrTo(i8))} ${bytes.ref}, ${this.m.ty(off.type)} ${off.ref}`);
    return this.cast("bitcast", p, ptrTo(to));
  }

  /**
   * `size` bytes at `dst` set to `byte`; `align`: what both pointers are known to be aligned to,
   * which sets the width of the stores the BPF backend expands it into. One it cannot expand
   * (over 128 stores) is rewritten after O2 (llvm/mem-intrinsics.ts).
   */
  memset(dst: Value, byte: number, size: number, align = 1): void {
    const opaque = this.m.mode.opaquePointers;
    const name = this.m.intrinsic(opaque ? "llvm.memset.p0.i64" : "llvm.memset.p0i8.i64", `void @NAME(${this.m.ty(ptrTo(i8))} nocapture writeonly, i8, i64, i1 immarg)`);
    const d = this.cast("bitcast", dst, ptrTo(i8));
    this.emit(`call void ${name}(${this.m.ty(ptrTo(i8))} align ${align} ${d.ref}, i8 ${byte}, i64 ${size}, i1 false)`);
  }

  /** As memset: `size` bytes from `src` to `dst`, both aligned to `align`. */
  memcpy(dst: Value, src: Value, size: number, align = 1): void {
    const opaque = this.m.mode.opaquePointers;
    const bp = this.m.ty(ptrTo(i8));
    const name = this.m.intrinsic(opaque ? "llvm.memcpy.p0.p0.i64" : "llvm.memcpy.p0i8.p0i8.i64", `void @NAME(${bp} nocapture writeonly, ${bp} nocapture readonly, i64, i1 immarg)`);
    const d = this.cast("bitcast", dst, ptrTo(i8));
    const s = this.cast("bitcast", src, ptrTo(i8));
    this.emit(`call void ${name}(${bp} align ${align} ${d.ref}, ${bp} align ${align} ${s.ref}, i64 ${size}, i1 false)`);
  }

  /** Calls a BPF helper by number: `inttoptr (i64 id to fn*)`. */
  callHelper(id: number, ret: IRType, args: Value[], varargs = false): Value {
    const fty = fnType(ret, args.map((a) => a.type), varargs);
    const callee = `inttoptr (i64 ${id} to ${this.m.ty(ptrTo(fty))})`;
    return this.call(fty, callee, args);
  }

  call(fty: FnType, callee: string, args: Value[]): Value {
    if (callee.startsWith("@")) this.fn.callees.set(callee, (this.fn.callees.get(callee) ?? 0) + 1);
    const argText = args.map((a) => `${this.m.ty(a.type)} ${a.ref}`).join(", ");
    const expr = `call ${this.m.ty(fty)} ${callee}(${argText})`;
    if (fty.ret.kind === "void") {
      this.emit(expr);
      return { type: fty.ret, ref: "undef" };
    }
    return this.valueOf(fty.ret, expr);
  }

  /** Inline BPF assembly, for instructions whose semantics LLVM IR cannot state. */
  inlineAsm(ret: IRType, asm: string, constraints: string, args: Value[]): Value {
    const argText = args.map((a) => `${this.m.ty(a.type)} ${a.ref}`).join(", ");
    return this.valueOf(ret, `call ${this.m.ty(ret)} asm "${asm}", "${constraints}"(${argText})`);
  }

  phi(type: IRType, incoming: [Value, Block][]): Value {
    const items = incoming.map(([v, blk]) => `[ ${v.ref}, %${blk.label} ]`).join(", ");
    return this.valueOf(type, `phi ${this.m.ty(type)} ${items}`);
  }

  /** An integer switch; each case's value must be a constant of `v`'s type. */
  switchInt(v: Value, otherwise: Block, cases: [bigint, Block][]): void {
    const t = this.m.ty(v.type);
    const arms = cases.map(([c, b]) => `${t} ${c}, label %${b.label}`).join(" ");
    this.emit(`switch ${t} ${v.ref}, label %${otherwise.label} [ ${arms} ]`);
    this.block.terminated = true;
  }

  br(target: Block): void {
    this.emit(`br label %${target.label}`);
    this.block.terminated = true;
  }

  condBr(cond: Value, then: Block, otherwise: Block): void {
    this.emit(`br i1 ${cond.ref}, label %${then.label}, label %${otherwise.label}`);
    this.block.terminated = true;
  }

  ret(v?: Value): void {
    this.emit(v ? `ret ${this.m.ty(v.type)} ${v.ref}` : "ret void");
    this.block.terminated = true;
  }
}

