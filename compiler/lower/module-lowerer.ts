// Lowers a checked probe file to one LLVM IR module: the licence, the load-time parameters,
// module-level functions, and one function per program in the ELF section libbpf attaches it by.

import type { StackMaps } from "../../contract/manifest.js";
import { TsbpfError } from "../../contract/errors.js";
import { KernelLocalTypes } from "./kernel-local-types.js";
import { basename, dirname } from "node:path";
import type * as TS from "typescript";
import type { Calls } from "../frontend/call-graph.js";
import type { ModuleModel } from "../frontend/module-model.js";
import { FIXED_SECTIONS, type ProgramDecl } from "../frontend/module-scan.js";
import type { CheckedSource } from "../frontend/checked-source.js";
import { lineColumn } from "../frontend/spans.js";
import { INT_TYPES, isAggregate, probeTypeOf, typeAt, type IntType, type ProbeType, type ScalarType, type StructType } from "../frontend/probe-types.js";
import { DebugInfo, type DebugTypeRef } from "../ir/debug-info.js";
import { cIdentifier, constInt, type IRBuilder, IRModule, type IRFunction, type Value } from "../ir/ir-module.js";
import { arrayOf, fnType, i32, i8, ptrTo, structOf, voidType, type FnType, type PointerMode } from "../ir/ir-types.js";
import { packageVersion } from "../../contract/paths.js";
import { sizeOf } from "../../contract/c-layout.js";
import { irTypeOf } from "./arith.js";
import { BtfTypes } from "./btf-types.js";
import { FunctionLowerer } from "./function.js";
import type { ParamLayout } from "../../contract/manifest.js";
import { paramLayout, paramsSize, PARAMS_SECTION } from "./param-layout.js";
import { ScratchMap } from "./scratch.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import { perCpuArrayMapKind } from "../maps/array-map.js";
import { dropsMapName } from "../maps/ring-buf.js";
import { PrintfLines } from "./printf.js";
import { stackMapsOf, StackTraces, STACK_MAPS } from "./stack-traces.js";
import type { PrintfChannel } from "../../contract/manifest.js";
import type { MapRef } from "../maps/map-kind.js";
import { uniqueWithin } from "../ir/unique-names.js";

export interface LoweredFunction {
  ir: { fn: IRFunction; type: FnType };
  params: ProbeType[];
  ret: ProbeType;
  declaration: TS.FunctionDeclaration;
  /** Once its body is lowered: the stack bytes of its deepest call chain (aggregate-storage.ts). */
  stack?: number;
}

export interface LoweredModule {
  /** The whole module's IR text (printed on demand: a build in parts does not need it). */
  text(): string;
  params: ParamLayout[];
  /** Where printf's lines go, if the probe calls printf. */
  printf?: PrintfChannel;
  /** Whether it calls printk (its lines come through a trace pipe). */
  printk: boolean;
  /** The maps of kstack()'s and ustack()'s stack traces, by name, if it calls them. */
  stacks?: StackMaps;
}

/**
 * Lowering in parts: each part (some programs and the functions they call) is handed over as
 * soon as its programs are lowered, so that LLVM works on it while the rest is lowered
 * (IRModule.partText says which part defines the globals they share).
 */
export interface PartSink {
  parts: number;
  onPart(ir: string): void;
}

/** Whether `symbol` is assigned anywhere in `fn` (`x = …`, `x += …`, `x++`). */
function isAssigned(p: CheckedSource, fn: TS.Node, symbol: TS.Symbol): boolean {
  const { ts } = p;
  const target = (n: TS.Node) => ts.isIdentifier(n) && p.symbolAt(n) === symbol;
  const visit = (n: TS.Node): boolean =>
    (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment && target(n.left)) ||
    ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken) && target(n.operand)) ||
    ts.forEachChild(n, visit) === true;
  return visit(fn);
}

/**
 * A kernel struct's field met with no BTF read: the compiler reads it for every probe that names
 * a kernel type, so only the editor's checks meet this, on a machine without BTF (machine-kernel.ts).
 */
export class KernelBtfMissing extends Error {}

/** Registers r1-r5: what a BPF function (a subprogram) can be passed. */
const BPF_MAX_ARGUMENTS = 5;

export class ModuleLowerer {
  readonly debug: DebugInfo;
  readonly m: IRModule;
  private readonly functions = new Map<TS.Symbol, LoweredFunction>();
  /** Each module function's symbol (and BTF) name: a C identifier, unique in the module. */
  private readonly symbolNames = new Map<TS.FunctionDeclaration, string>();
  private readonly params = new Map<TS.Symbol, { index: number; type: IntType }>();
  private readonly maps = new Map<TS.Symbol, MapRef>();
  private paramsGlobal: Value | undefined;
  /** printf's ring buffer, made when some body calls printf. */
  printf: PrintfLines | undefined;
  /** kstack()'s and ustack()'s stack traces, each made when some body calls it. */
  readonly stacks: { kernel?: StackTraces; user?: StackTraces } = {};
  private localKernelTypes: KernelLocalTypes | undefined;
  readonly layout: ParamLayout[];

  constructor(
    readonly p: CheckedSource,
    readonly decls: ModuleModel,
    mode: PointerMode,
  ) {
    this.debug = new DebugInfo({ fileName: basename(p.fileName), directory: dirname(p.fileName), source: p.text, producer: `tsbpf ${packageVersion}` });
    this.m = new IRModule(mode, this.debug);
    this.btf = new BtfTypes(this.debug);
    this.layout = paramLayout(decls.params);
  }

  /** The kernel structs this object reads fields of, as CO-RE declares them locally. */
  get kernelTypes(): KernelLocalTypes {
    const btf = this.p.kernel?.btf;
    if (!btf) throw new KernelBtfMissing("internal compiler error: a kernel struct without the kernel's BTF");
    return (this.localKernelTypes ??= new KernelLocalTypes(btf, this.m, this.debug));
  }

  lower(sink?: PartSink): LoweredModule {
    const { decls, debug, m } = this;
    // Program and function names are BPF symbol names: reserve them before any global is named
    // (a program may be called LICENSE or tsbpf_params; the compiler's globals then give way).
    for (const prog of decls.programs) m.uniqueName(prog.name);
    this.declareMaps();
    // Section names are taken too: a function named `xdp` or `license` becomes `xdp_1`.
    for (const section of new Set([...FIXED_SECTIONS, ...decls.programs.map((d) => d.section)])) m.uniqueName(section);
    for (const f of decls.functions) this.symbolNames.set(f, m.uniqueName(cIdentifier(f.name!.text)));

    // GPL: bpf_trace_printk and most tracing helpers are GPL-only. libbpf finds it by section.
    const license = m.uniqueName("LICENSE");
    m.addCString(license, "GPL", {
      section: "license",
      linkage: "dso_local",
      used: true,
      dbg: debug.globalVariable({ name: license, line: 1, type: debug.arrayType(this.diType(INT_TYPES.i8, "char"), 4), local: false }),
    });
    this.declareParams();

    // Function bodies are lowered when a program first needs them (all are declared first), so
    // that a part can go to LLVM before the functions only later parts call are lowered.
    const bodies = new Map<string, () => void>();
    for (const f of decls.functions) {
      const lowered = this.declareFunction(f);
      bodies.set(`@${lowered.ir.fn.decl.name}`, () => this.lowerFunction(lowered));
    }
    const lowerCallees = (fn: IRFunction): void => {
      for (const callee of fn.callees.keys()) {
        const lowerBody = bodies.get(callee);
        if (!lowerBody) continue;
        bodies.delete(callee);
        lowerBody();
        lowerCallees(this.m.functionNamed(callee)!);
      }
    };
    let part: IRFunction[] = [];
    // After a user error the IR is unfinished: nothing more goes to LLVM.
    const endPart = (): void => {
      if (!this.p.diagnostics.count) sink?.onPart(m.partText(part));
    };
    const cuts = sink ? partCuts(decls, sink.parts) : new Set<number>();
    decls.programs.forEach((prog, i) => {
      const fn = this.attempt(() => this.lowerProgram(prog));
      if (fn) {
        lowerCallees(fn);
        part.push(fn);
      }
      if (cuts.has(i)) {
        endPart();
        part = [];
      }
    });
    // Functions no program calls are still lowered: their mistakes are reported all the same.
    for (const lowerBody of bodies.values()) lowerBody();
    endPart();
    this.p.diagnostics.throwIfAny();
    let text: string | undefined;
    return { text: () => (text ??= m.text()), params: this.layout, printf: this.printf?.manifest(), printk: this.calls("printk"), ...(stackMapsOf(this.stacks) && { stacks: stackMapsOf(this.stacks) }) };
  }

  private lowerProgram(prog: ProgramDecl): IRFunction {
    const { line } = lineColumn(prog.declaration);
    const voidPtr = this.debug.pointerType(null);
    const int = this.diType(INT_TYPES.i32, "int");
    const sp = this.debug.subprogram({ name: prog.name, line, type: this.debug.subroutineType(int, [voidPtr]), params: [{ name: "ctx", type: voidPtr }] });
    const fn = this.m.addFunction({ name: prog.name, ret: i32, params: [{ name: "ctx", type: ptrTo(i8) }], section: prog.section, dbg: sp });
    const l = new FunctionLowerer(this, fn, sp, prog.name, prog.kind.returns);
    const ctx = prog.handler.parameters[0];
    const { parameters } = prog.kind;
    // The pointer the kernel passes is there whether or not the handler names it (emit() to a perf buffer needs it).
    if (parameters) {
      // The handler's parameters are values the kind reads through it (a kprobe's arguments).
      l.context = { symbol: undefined, pointer: fn.params[0] };
      parameters.prepare?.(l, fn.params[0], prog.handler);
      prog.handler.parameters.forEach((param, i) => {
        l.at(param);
        l.bindLocal(param, parameters.lower(l, fn.params[0], i, typeAt(this.p, param.name) as ScalarType, prog.handler));
        const symbol = this.p.symbolAt(param.name);
        if (symbol && parameters.typedByBtf?.(i, prog.handler) && !isAssigned(this.p, prog.handler, symbol)) l.btfTypedParameters.add(symbol);
      });
    } else
      l.context = {
        symbol: ctx && this.p.symbolAt(ctx.name),
        pointer: fn.params[0],
        record: ctx && prog.kind.context?.fields && this.contextRecord(ctx),
        arguments: ctx && prog.kind.context?.arguments ? this.contextArguments(ctx) : undefined,
        btfTyped: prog.kind.context?.btfTyped,
      };
    // A program's scratch map is its own (defined in its part): each may use a whole per-CPU value.
    const scratch = new ScratchMap(this.m, this.debug);
    l.scratch = scratch.allocatorFor(fn, sp, prog.declaration);
    this.lowerBody(l, prog.handler.body, this.decls.uses.ofProgram.get(prog)!);
    scratch.declare();
    return fn;
  }

  /** The record a handler's context reads fields of: `Fields` of its `TracepointContext<Fields>`, if it has fields. */
  private contextRecord(ctx: TS.ParameterDeclaration): StructType | undefined {
    const fields = this.p.checker.getTypeAtLocation(ctx.name).aliasTypeArguments?.[0];
    if (!fields || !fields.getProperties().length) return undefined;
    const t = probeTypeOf(this.p, fields, ctx.name);
    return t.kind === "struct" ? t : undefined;
  }

  /** The arguments a handler's context names, by position: `Args` of its `RawTracepointArgs<Args>`. */
  private contextArguments(ctx: TS.ParameterDeclaration): ReadonlyMap<string, number> | undefined {
    const args = this.p.checker.getTypeAtLocation(ctx.name).aliasTypeArguments?.[0];
    return args && new Map(args.getProperties().map((prop, i) => [prop.name, i]));
  }

  /**
   * Lowers a module function's body once, the functions it calls first; its chain's stack bytes
   * (0 for one with a mistake in it, reported: its callers are lowered as if it used none).
   */
  private lowerFunction(f: LoweredFunction): number {
    if (f.stack === undefined) {
      f.stack = 0; // recursion is refused before lowering (TSB2006); this only ends a cycle
      this.attempt(() => {
        const l = new FunctionLowerer(this, f.ir.fn, f.ir.fn.decl.dbg!, f.declaration.name!.text, f.ret);
        l.bindParams(f.declaration.parameters, f.params);
        f.stack = this.lowerBody(l, f.declaration.body!, this.decls.uses.ofFunction.get(f.declaration)!);
      });
    }
    return f.stack;
  }

  /**
   * Lowers one program or function: a user error in it is reported (p.diagnostics) and lowering
   * goes on with the next, so that a compile shows the first mistake of each, all thrown together
   * at the end of lower(). A bug met after a user error is taken for its consequence: the user's
   * errors are thrown instead (D185).
   */
  private attempt<T>(lowerOne: () => T): T | undefined {
    try {
      return this.p.diagnostics.attempt(lowerOne);
    } catch (e) {
      if (!(e instanceof TsbpfError)) this.p.diagnostics.throwIfAny();
      throw e;
    }
  }

  /**
   * Lowers a body once the module functions it calls are lowered: their stack is known, so that
   * the body's own storage leaves room for theirs (aggregate-storage.ts). Returns the deepest chain's.
   */
  private lowerBody(l: FunctionLowerer, body: TS.ConciseBody, calls: Calls): number {
    l.calleeStack = calls.functions.reduce((deepest, { callee }) => Math.max(deepest, this.lowerFunction(this.functionOf(callee.name!)!)), 0);
    l.body(body);
    return l.stackBytes + l.calleeStack;
  }

  private declareFunction(f: TS.FunctionDeclaration): LoweredFunction {
    const { p } = this;
    const name = this.symbolNames.get(f)!;
    const paramNames = uniqueWithin(f.parameters.map((param) => cIdentifier(param.name.getText())));
    const { params, returns: ret } = this.decls.signatures.get(f)!;
    // An aggregate result is written into storage the caller passes first (C's sret).
    const sret = isAggregate(ret);
    const type = fnType(sret ? voidType : irTypeOf(ret), [...(sret ? [ptrTo(i8)] : []), ...params.map(irTypeOf)]);
    const { line } = lineColumn(f);
    const sp = this.debug.subprogram({
      name,
      line,
      local: true,
      type: this.debug.subroutineType(ret.kind === "void" || sret ? null : this.btf.passed(ret), [...(sret ? [this.btf.passed(ret)] : []), ...params.map((t) => this.btf.passed(t))]),
      params: [
        ...(sret ? [{ name: "result", type: this.btf.passed(ret) }] : []),
        ...paramNames.map((paramName, i) => ({ name: paramName, type: this.btf.passed(params[i]) })),
      ],
    });
    const fn = this.m.addFunction({
      name,
      ret: type.ret,
      params: [...(sret ? ["result"] : []), ...paramNames.map((paramName) => `arg.${paramName}`)].map((name, i) => ({ name, type: type.params[i] })),
      dbg: sp,
      linkage: "internal",
      // A BPF function takes at most five arguments (registers r1-r5; LLVM aborts on more, and
      // the kernel has no way to pass them): one with more is always inlined (D46).
      alwaysInline: type.params.length > BPF_MAX_ARGUMENTS,
    });
    const lowered: LoweredFunction = { ir: { fn, type }, params, ret, declaration: f };
    this.functions.set(p.symbolAt(f.name!)!, lowered);
    return lowered;
  }

  /** The module function that `callee` names, if it names one. */
  functionOf(callee: TS.Expression): LoweredFunction | undefined {
    const sym = this.p.symbolAt(callee);
    return sym && this.functions.get(sym);
  }

  // Load-time parameters live in one struct in their own read-only section, so that the runtime
  // finds them at known offsets in one map; loads are volatile so LLVM does not fold defaults.
  private declareParams(): void {
    const { decls, debug } = this;
    if (!decls.params.length) return;
    decls.params.forEach((d, index) => this.params.set(this.p.symbolAt(d.binding)!, { index, type: d.type }));
    const init = `{ ${decls.params.map((d) => `${this.m.ty(irTypeOf(d.type))} ${BigInt.asIntN(d.type.bits, d.defaultValue)}`).join(", ")} }`;
    // BTF must give the struct LLVM's size exactly, or the kernel refuses the whole BTF.
    const size = paramsSize(this.layout);
    const diStruct = this.btf.compilerStruct(
      "tsbpf_params",
      lineColumn(decls.params[0].node).line,
      size * 8,
      this.layout.map((l, i) => ({ name: l.name, type: this.diType(decls.params[i].type), offsetBits: l.offset * 8 })),
    );
    this.paramsGlobal = this.m.addGlobal({
      name: this.m.uniqueName("tsbpf_params"),
      type: structOf(decls.params.map((d) => irTypeOf(d.type))),
      init,
      section: PARAMS_SECTION,
      used: true,
      dbg: debug.globalVariable({ name: "tsbpf_params", line: lineColumn(decls.params[0].node).line, type: debug.constType(diStruct), local: false }),
    });
  }

  /** Each map is a `.maps` global named as its binding (btf-map.ts), defined at once: its types are known. */
  private declareMaps(): void {
    for (const d of this.decls.maps) {
      const line = lineColumn(d.node).line;
      const map = new BtfMap(this.m, this.debug, this.m.uniqueName(d.name));
      const key = { ir: irTypeOf(d.key), btf: this.diType(d.key) };
      // Only BTF says what the value is; the IR pointee just needs the value's size.
      const value = { ir: isAggregate(d.value) ? arrayOf(sizeOf(d.value), i8) : irTypeOf(d.value), btf: this.diType(d.value) };
      const stream = d.kind.stream;
      const slot = stream?.slots && { ir: irTypeOf(stream.slots), btf: this.diType(stream.slots) };
      map.define({ type: d.mapType, maxEntries: d.maxEntries, ...(!stream ? { key, value } : slot ? { key: slot, value: slot } : {}), line });
      const drops = stream?.countsDrops ? this.dropsCounter(d.name, line) : undefined;
      this.maps.set(this.p.symbolAt(d.binding)!, { kind: d.kind, key: d.key, value: d.value, ref: map.ref, drops, linear: d.linear });
    }
    if (this.calls("printf")) this.printf = new PrintfLines(this.m, this.debug, (name) => this.dropsCounter(name, 1));
    if (this.calls("kstack")) this.stacks.kernel = new StackTraces(this.m, this.debug, STACK_MAPS.kernel);
    if (this.calls("ustack")) this.stacks.user = new StackTraces(this.m, this.debug, STACK_MAPS.user, { seen: STACK_MAPS.userSeen, ring: STACK_MAPS.userNotices });
  }

  /** Whether some body calls the stdlib function `name`. */
  private calls(name: string): boolean {
    const { ofProgram, ofFunction } = this.decls.uses;
    return [...ofProgram.values(), ...ofFunction.values()].some((c) => c.stdlib.some((s) => s.name === name));
  }

  /** A stream's counter of dropped events: one u64 per CPU. */
  private dropsCounter(stream: string, line: number): MapRef {
    const counter = new BtfMap(this.m, this.debug, this.m.uniqueName(dropsMapName(stream)));
    const u32 = INT_TYPES.u32;
    const u64 = INT_TYPES.u64;
    counter.define({ type: MapType.percpuArray, maxEntries: 1, key: { ir: irTypeOf(u32), btf: this.diType(u32) }, value: { ir: irTypeOf(u64), btf: this.diType(u64) }, line });
    return { kind: perCpuArrayMapKind, key: u32, value: u64, ref: counter.ref };
  }

  /** The map that `sym` names, if it names one. */
  mapOf(sym: TS.Symbol): MapRef | undefined {
    return this.maps.get(sym);
  }

  paramOf(sym: TS.Symbol): { type: IntType; ptr: (b: IRBuilder) => Value } | undefined {
    const p = this.params.get(sym);
    if (!p || !this.paramsGlobal) return undefined;
    const global = this.paramsGlobal;
    return { type: p.type, ptr: (b) => b.gep(global, [constInt(i32, 0), constInt(i32, p.index)], irTypeOf(p.type)) };
  }

  private readonly btf: BtfTypes;

  /** The debug (BTF) type of a probe type: an aggregate's own struct or array type. */
  diType(t: ProbeType, cName?: string): DebugTypeRef {
    return this.btf.of(t, cName);
  }
}

export function lowerModule(p: CheckedSource, decls: ModuleModel, mode: PointerMode, sink?: PartSink): LoweredModule {
  return new ModuleLowerer(p, decls, mode).lower(sink);
}

/**
 * After which programs (by index) a part ends, so that parts carry about equal shares of the
 * source. A program's share is its own text; module functions are spread over the programs
 * (which of them a program calls is known only once it is lowered).
 */
function partCuts(decls: ModuleModel, parts: number): Set<number> {
  const cuts = new Set<number>();
  const n = decls.programs.length;
  if (parts < 2 || n < 2) return cuts;
  const functionsText = decls.functions.reduce((a, f) => a + f.getWidth(), 0);
  const weights = decls.programs.map((p) => p.declaration.getWidth() + functionsText / n);
  const total = weights.reduce((a, w) => a + w, 0);
  let sum = 0;
  for (let i = 0; i < n - 1 && cuts.size < parts - 1; i++) {
    sum += weights[i];
    if (sum >= (total * (cuts.size + 1)) / parts) cuts.add(i);
  }
  return cuts;
}
