// Debug metadata: the BTF that libbpf requires, and the line info that makes the kernel
// verifier print TypeScript source next to each BPF instruction. Kept apart from code
// generation so that lowering asks for "a subprogram" or "a location", never writes `!DI…`.

export type MDRef = string; // "!12"

export interface DebugTypeRef {
  ref: MDRef;
  sizeBits: number;
}

export class DebugInfo {
  private readonly nodes: string[] = [];
  private readonly unique = new Map<string, MDRef>();
  private readonly locations = new Map<string, MDRef>();
  readonly file: MDRef;
  readonly compileUnit: MDRef;

  constructor(opts: { fileName: string; directory: string; source: string; producer: string }) {
    // Every DIFile carries the TypeScript source: the verifier log then quotes it. LLVM drops
    // all debug info if some files have `source:` and others not, so there is only this one.
    this.file = this.node(
      `!DIFile(filename: ${mdString(opts.fileName)}, directory: ${mdString(opts.directory)}, source: ${mdString(opts.source)})`,
    );
    this.compileUnit = this.reserve(true);
    this.compileUnitProducer = opts.producer;
  }
  private readonly compileUnitProducer: string;

  /** Adds a node; identical non-distinct nodes are shared. */
  node(text: string, distinct = false): MDRef {
    if (!distinct) {
      const hit = this.unique.get(text);
      if (hit) return hit;
    }
    const ref = `!${this.nodes.length}`;
    this.nodes.push(distinct ? `distinct ${text}` : text);
    if (!distinct) this.unique.set(text, ref);
    return ref;
  }

  private reserve(distinct: boolean): MDRef {
    const ref = `!${this.nodes.length}`;
    this.nodes.push(distinct ? "distinct !{}" : "!{}");
    return ref;
  }

  private fill(ref: MDRef, text: string, distinct: boolean): void {
    this.nodes[Number(ref.slice(1))] = distinct ? `distinct ${text}` : text;
  }

  tuple(items: (MDRef | "null")[]): MDRef {
    return this.node(`!{${items.join(", ")}}`);
  }

  basicType(name: string, sizeBits: number, encoding: "signed" | "unsigned" | "boolean" | "signed_char" | "unsigned_char" | "float"): DebugTypeRef {
    return { ref: this.node(`!DIBasicType(name: ${mdString(name)}, size: ${sizeBits}, encoding: DW_ATE_${encoding})`), sizeBits };
  }

  /** C's enum: an integer whose members have names (BTF_KIND_ENUM). */
  enumerationType(name: string, sizeBits: number, signed: boolean, members: readonly { name: string; value: bigint }[]): DebugTypeRef {
    const unsigned = signed ? "" : ", isUnsigned: true";
    const elements = members.map((m) => this.node(`!DIEnumerator(name: ${mdString(m.name)}, value: ${m.value}${unsigned})`));
    return {
      ref: this.node(`!DICompositeType(tag: DW_TAG_enumeration_type, name: ${mdString(name)}, file: ${this.file}, size: ${sizeBits}, elements: ${this.tuple(elements)})`),
      sizeBits,
    };
  }

  pointerType(base: DebugTypeRef | null): DebugTypeRef {
    return { ref: this.node(`!DIDerivedType(tag: DW_TAG_pointer_type, baseType: ${base ? base.ref : "null"}, size: 64)`), sizeBits: 64 };
  }

  constType(base: DebugTypeRef): DebugTypeRef {
    return { ref: this.node(`!DIDerivedType(tag: DW_TAG_const_type, baseType: ${base.ref})`), sizeBits: base.sizeBits };
  }

  arrayType(elem: DebugTypeRef, count: number): DebugTypeRef {
    const range = this.node(`!DISubrange(count: ${count})`);
    return {
      ref: this.node(`!DICompositeType(tag: DW_TAG_array_type, baseType: ${elem.ref}, size: ${elem.sizeBits * count}, elements: ${this.tuple([range])})`),
      sizeBits: elem.sizeBits * count,
    };
  }

  structType(name: string | undefined, line: number, sizeBits: number, members: { name: string; type: DebugTypeRef; offsetBits: number }[]): DebugTypeRef {
    const ref = this.reserve(false);
    const memberRefs = members.map((m) =>
      this.node(`!DIDerivedType(tag: DW_TAG_member, name: ${mdString(m.name)}, scope: ${ref}, file: ${this.file}, line: ${line}, baseType: ${m.type.ref}, size: ${m.type.sizeBits}, offset: ${m.offsetBits})`),
    );
    const nameField = name ? `name: ${mdString(name)}, ` : "";
    this.fill(ref, `!DICompositeType(tag: DW_TAG_structure_type, ${nameField}file: ${this.file}, line: ${line}, size: ${sizeBits}, elements: ${this.tuple(memberRefs)})`, false);
    return { ref, sizeBits };
  }

  /** A struct or union whose members come later, and may grow (refilled by fillComposite). */
  reserveComposite(): MDRef {
    return this.reserve(false);
  }

  fillComposite(ref: MDRef, opts: { union: boolean; name: string; sizeBits: number; members: { name: string; type: DebugTypeRef; offsetBits: number }[] }): void {
    const memberRefs = opts.members.map((m) =>
      this.node(`!DIDerivedType(tag: DW_TAG_member, name: ${mdString(m.name)}, scope: ${ref}, file: ${this.file}, baseType: ${m.type.ref}, size: ${m.type.sizeBits}, offset: ${m.offsetBits})`),
    );
    const tag = opts.union ? "DW_TAG_union_type" : "DW_TAG_structure_type";
    this.fill(ref, `!DICompositeType(tag: ${tag}, name: ${mdString(opts.name)}, file: ${this.file}, size: ${opts.sizeBits}, elements: ${this.tuple(memberRefs)})`, false);
  }

  subroutineType(ret: DebugTypeRef | null, params: DebugTypeRef[]): MDRef {
    return this.node(`!DISubroutineType(types: ${this.tuple([ret ? ret.ref : "null", ...params.map((p) => p.ref)])})`);
  }

  /** A function definition. Parameters get named DILocalVariables: the kernel rejects BTF
   *  for a function whose parameters have no names. */
  subprogram(opts: { name: string; line: number; type: MDRef; params: { name: string; type: DebugTypeRef }[]; local?: boolean }): MDRef {
    const sp = this.reserve(true);
    const vars = opts.params.map((p, i) =>
      this.node(`!DILocalVariable(name: ${mdString(p.name)}, arg: ${i + 1}, scope: ${sp}, file: ${this.file}, line: ${opts.line}, type: ${p.type.ref})`),
    );
    const spFlags = opts.local ? "DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized" : "DISPFlagDefinition | DISPFlagOptimized";
    this.fill(
      sp,
      `!DISubprogram(name: ${mdString(opts.name)}, scope: ${this.file}, file: ${this.file}, line: ${opts.line}, type: ${opts.type}, scopeLine: ${opts.line}, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: ${spFlags}, unit: ${this.compileUnit}, retainedNodes: ${this.tuple(vars)})`,
      true,
    );
    return sp;
  }

  /** A global variable (maps, licence, constants); returns the attachment for `!dbg`. */
  globalVariable(opts: { name: string; line: number; type: DebugTypeRef; local: boolean }): MDRef {
    const expr = this.variable(opts, true);
    this.declarations.set(expr, { ...opts, decl: undefined });
    return expr;
  }

  /** The same variable as an extern declaration, for a part of the module that only uses it. */
  declarationOf(definition: MDRef): MDRef {
    const d = this.declarations.get(definition);
    if (!d) throw new Error(`no global variable ${definition}`);
    return (d.decl ??= this.variable(d, false));
  }

  private readonly declarations = new Map<MDRef, { name: string; line: number; type: DebugTypeRef; local: boolean; decl: MDRef | undefined }>();

  private variable(opts: { name: string; line: number; type: DebugTypeRef; local: boolean }, definition: boolean): MDRef {
    const v = this.node(
      `!DIGlobalVariable(name: ${mdString(opts.name)}, scope: ${this.compileUnit}, file: ${this.file}, line: ${opts.line}, type: ${opts.type.ref}, isLocal: ${opts.local}, isDefinition: ${definition})`,
      true,
    );
    return this.node(`!DIGlobalVariableExpression(var: ${v}, expr: !DIExpression())`);
  }

  location(line: number, column: number, scope: MDRef): MDRef {
    const key = `${line}:${column}:${scope}`;
    let ref = this.locations.get(key);
    if (!ref) {
      ref = this.node(`!DILocation(line: ${line}, column: ${column}, scope: ${scope})`);
      this.locations.set(key, ref);
    }
    return ref;
  }

  /** The metadata section of the module text; `globals`: the variables its unit lists. */
  text(globals: MDRef[]): string {
    this.fill(
      this.compileUnit,
      `!DICompileUnit(language: DW_LANG_C99, file: ${this.file}, producer: ${mdString(this.compileUnitProducer)}, isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, globals: ${this.tuple(globals)}, splitDebugInlining: false, nameTableKind: None)`,
      true,
    );
    const dwarf = this.node(`!{i32 7, !"Dwarf Version", i32 5}`);
    const dbgVersion = this.node(`!{i32 2, !"Debug Info Version", i32 3}`);
    const out = [`!llvm.dbg.cu = !{${this.compileUnit}}`, `!llvm.module.flags = !{${dwarf}, ${dbgVersion}}`, ""];
    this.nodes.forEach((n, i) => out.push(`!${i} = ${n}`));
    return out.join("\n") + "\n";
  }
}

/** A metadata string literal: printable ASCII kept, everything else as \XX escapes. */
export function mdString(s: string): string {
  return `"${escapeBytes(Buffer.from(s, "utf8"))}"`;
}

const ESCAPED = Array.from({ length: 256 }, (_, b) =>
  b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : "\\" + b.toString(16).toUpperCase().padStart(2, "0"),
);

/** Escapes bytes for LLVM's `"..."` and `c"..."` literals (the probe's whole source goes through here). */
export function escapeBytes(bytes: Uint8Array): string {
  // One byte, one latin1 character: the printable ones stay, a regex rewrites the rest.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString("latin1")
    .replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, (c) => ESCAPED[c.charCodeAt(0)]);
}
