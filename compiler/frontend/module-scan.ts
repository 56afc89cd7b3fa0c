// Finds what a probe file declares at its top level: BPF programs (`const x = tracepoint(…)`),
// functions, numeric constants and load-time parameters. Calls are recognised by what they
// resolve to in tsbpf's declarations, not by spelling: an aliased import still works, and a
// local function named `tracepoint` is not a program.

import type * as TS from "typescript";
import { isTsbpfDeclaration } from "../declaration-files.js";
import { Codes } from "./codes.js";
import type { CheckedSource } from "./checked-source.js";
import { integerLiteral } from "./constants.js";
import { errorAt, lineColumn } from "./spans.js";
import { intRange } from "../../contract/c-layout.js";
import type { LinearBuckets } from "../../contract/manifest.js";
import { typeAt, type IntType, type ValueType } from "./probe-types.js";
import { constantValue } from "./constants.js";
import { MAP_KIND_NAMES, mapKindNamed, type MapKind } from "../maps/registry.js";
import { programKindNamed, SECTION_SUGAR, type ProgramKind } from "../kinds/registry.js";
import type { ProgramTarget } from "../kinds/program-kind.js";

export interface ProgramDecl {
  kind: ProgramKind;
  name: string; // the binding's name: the BPF function's name
  target: string; // e.g. "syscalls/sys_enter_syncfs"; "" for kinds attached to an interface
  section: string; // ELF section, which libbpf reads to know how to attach
  exported: boolean;
  /** The handler: written inline, or the function itself in bcc's convention (`function kprobe__vfs_read(…)`). */
  handler: TS.ArrowFunction | TS.FunctionExpression | (TS.FunctionDeclaration & { readonly body: TS.Block });
  declaration: TS.VariableDeclaration | TS.FunctionDeclaration;
  targetNode: TS.Node;
  /** Targets to try in order, the first the kernel has (ProgramTarget's). */
  alternatives?: string[];
  /** Attached only where the kernel has the target. */
  optional?: boolean;
}

/** `const hits = new ArrayMap<u64>(4)`: a BPF map, created when the probe loads. */
export interface MapDecl {
  kind: MapKind;
  /** The binding's name: the map's name in the object, for libbpf, bpftool and the runtime. */
  name: string;
  binding: TS.Identifier;
  key: ValueType;
  value: ValueType;
  maxEntries: number;
  /** BPF_MAP_TYPE_*: the kind's, or what its shape chose (a keyed or keyless aggregation). */
  mapType: number;
  /** An aggregation without a key (`new Count()`): one value. */
  keyless: boolean;
  /** A LinearHistogram's buckets. */
  linear?: LinearBuckets;
  exported: boolean;
  node: TS.NewExpression;
}

export interface ParamDecl {
  name: string; // the key set at load time
  binding: TS.Identifier;
  type: IntType;
  defaultValue: bigint;
  node: TS.CallExpression;
}

export interface ModuleDecls {
  programs: ProgramDecl[];
  maps: MapDecl[];
  functions: TS.FunctionDeclaration[];
  params: ParamDecl[];
  /** Module-level `const` bindings that are neither programs nor params. */
  constants: Map<TS.Symbol, TS.VariableDeclaration>;
}

/** stdlibName by symbol: every pass asks it of every call. */
const stdlibNames = new WeakMap<TS.Symbol, string | undefined>();

/** The name of the tsbpf declaration that `expr` refers to, if it refers to one. */
export function stdlibName(p: CheckedSource, expr: TS.Expression): string | undefined {
  const found = p.symbolAt(expr);
  if (!found) return undefined;
  if (stdlibNames.has(found)) return stdlibNames.get(found);
  const sym = found.flags & p.ts.SymbolFlags.Alias ? p.checker.getAliasedSymbol(found) : found;
  const decl = sym.declarations?.[0];
  const name = decl && isTsbpfDeclaration(decl) ? sym.name : undefined;
  stdlibNames.set(found, name);
  return name;
}

/** `Interface.member` for a method of one of tsbpf's interfaces (`RawTracepointContext.arg`). */
export function stdlibMemberName(p: CheckedSource, access: TS.PropertyAccessExpression): string | undefined {
  const decl = p.symbolAt(access)?.declarations?.[0];
  if (!decl || !isTsbpfDeclaration(decl) || !p.ts.isInterfaceDeclaration(decl.parent)) return undefined;
  return `${decl.parent.name.text}.${access.name.text}`;
}

/**
 * The module's declarations. A declaration that is wrong is reported to `p.diagnostics` and left
 * out (or, for a program whose target is wrong, kept with an empty one), and the scan goes on:
 * nothing is lowered while any error is reported.
 */
export function scanModule(p: CheckedSource): ModuleDecls {
  const { ts } = p;
  const { diagnostics } = p;
  const out: ModuleDecls = { programs: [], maps: [], functions: [], params: [], constants: new Map() };
  for (const stmt of p.source.statements) {
    const sugar = ts.isFunctionDeclaration(stmt) && stmt.body ? sugarKind(stmt) : undefined;
    if (sugar) {
      diagnostics.attempt(() => out.programs.push(sugarProgram(p, sugar, stmt as TS.FunctionDeclaration)));
      continue;
    }
    if (ts.isFunctionDeclaration(stmt) && stmt.body) {
      for (const param of stmt.parameters) {
        if (param.initializer || param.questionToken || param.dotDotDotToken)
          diagnostics.report(errorAt(param, Codes.unsupportedSyntax, "optional, default and rest parameters are not supported in probe code", "declare every parameter with its type, and pass every argument"));
      }
      out.functions.push(stmt);
    }
    if (isStatementThatRuns(ts, stmt))
      diagnostics.report(
        errorAt(stmt, Codes.unsupportedSyntax, "a statement at the top level of a probe file never runs", "a probe's code runs in its programs' handlers: move it into one (or into a function they call)"),
      );
    if (!ts.isVariableStatement(stmt)) continue;
    if (stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
      diagnostics.report(errorAt(stmt, Codes.unsupportedSyntax, "ambient declarations (`declare`) are not supported in probe code", "the kernel has nothing to link them to: define the value here"));
      continue;
    }
    const exported = stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
    const isConst = (stmt.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const decl of stmt.declarationList.declarations) {
      const init = decl.initializer;
      if (init && ts.isNewExpression(init)) {
        diagnostics.attempt(() => out.maps.push(map(p, decl, init, isConst, exported, out.constants)));
        continue;
      }
      const callee = init && ts.isCallExpression(init) ? stdlibName(p, init.expression) : undefined;
      const kind = callee ? programKindNamed(callee) : undefined;
      if (kind) diagnostics.attempt(() => out.programs.push(program(p, kind, decl, init as TS.CallExpression, exported)));
      else if (callee === "param") diagnostics.attempt(() => out.params.push(param(p, decl, init as TS.CallExpression, isConst, out.params)));
      else if (isConst && ts.isIdentifier(decl.name) && init) out.constants.set(p.symbolAt(decl.name)!, decl);
      else diagnostics.report(errorAt(decl, Codes.mutableGlobal, "module-level variables must be `const`", "a BPF program has no writable globals of this kind: use a map for state, or `param()` for values set at load time"));
    }
  }
  checkNoSectionNames(p, out);
  return out;
}

function program(p: CheckedSource, kind: ProgramKind, decl: TS.VariableDeclaration, init: TS.CallExpression, exported: boolean): ProgramDecl {
  const { ts } = p;
  if (!ts.isIdentifier(decl.name)) throw errorAt(decl.name, Codes.unsupportedSyntax, "a program must be bound to a plain name");
  checkSymbolName(decl.name, "a BPF program");
  const args = [...init.arguments];
  const handler = args.pop();
  if (!handler || !(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)))
    throw errorAt(handler ?? init, Codes.programHandlerNotInline, "the program's handler must be written inline as a function", "pass `(ctx) => { … }`");
  // A wrong target is reported, and the program kept: its handler is still checked.
  const found = p.diagnostics.attempt(() => kind.target(p, args, init.expression));
  return withTarget(p, { kind, name: decl.name.text, exported, handler, declaration: decl }, found ?? { target: "", section: "", node: args[0] ?? init.expression }, found !== undefined);
}

/** A program with its target; a kind whose handler takes values (a kprobe's arguments) checks them against it. */
function withTarget(p: CheckedSource, decl: Omit<ProgramDecl, "target" | "section" | "targetNode">, t: ProgramTarget, targetFound: boolean): ProgramDecl {
  if (targetFound) decl.kind.parameters?.check(p, decl.handler, t);
  return { ...decl, target: t.target, section: t.section, targetNode: t.node, ...(t.alternatives && { alternatives: t.alternatives }), ...(t.optional && { optional: true }) };
}

/** The kind a function declares in bcc's convention (`kprobe__vfs_read`), if its name has a kind's prefix. */
function sugarKind(f: TS.FunctionDeclaration): { kind: ProgramKind; prefix: string } | undefined {
  const name = f.name?.text ?? "";
  for (const [prefix, kind] of SECTION_SUGAR) if (name.startsWith(prefix)) return { kind, prefix };
  return undefined;
}

/** `export function kprobe__vfs_read(file: Ptr<file>) { … }`: a kprobe on vfs_read, as bcc names one. */
function sugarProgram(p: CheckedSource, { kind, prefix }: { kind: ProgramKind; prefix: string }, f: TS.FunctionDeclaration): ProgramDecl {
  const name = f.name!;
  const fn = name.text.slice(prefix.length);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fn))
    throw errorAt(name, Codes.badProgramFunctionName, `'${name.text}' names a ${kind.name} program without the kernel function it probes`, `name the function after '${prefix}': ${prefix}vfs_read`);
  const exported = f.modifiers?.some((m) => m.kind === p.ts.SyntaxKind.ExportKeyword) ?? false;
  return withTarget(p, { kind, name: name.text, exported, handler: f as TS.FunctionDeclaration & { body: TS.Block }, declaration: f }, { target: fn, section: `${kind.name}/${fn}`, node: name }, true);
}

/**
 * The most entries a map may declare. Libbpf reads the count from BTF as an array of that many
 * ints (`int (*max_entries)[N]`), and the kernel refuses BTF with an array over 4 GiB: N × 4.
 */
const MAX_MAP_ENTRIES = 0xffffffffn / 4n;

function map(p: CheckedSource, decl: TS.VariableDeclaration, init: TS.NewExpression, isConst: boolean, exported: boolean, constants: ModuleDecls["constants"]): MapDecl {
  const { ts } = p;
  const className = stdlibName(p, init.expression);
  const kind = className ? mapKindNamed(className) : undefined;
  if (!kind)
    throw errorAt(init, Codes.newExpression, "`new` creates only tsbpf's maps", `there is no heap in a BPF program: declare a map (${MAP_KIND_NAMES.join(", ")}) at the top level, or use locals`);
  if (!isConst || !ts.isIdentifier(decl.name)) throw errorAt(decl, Codes.badMap, "a map must be bound with `const` to a plain name", `write \`export const counts = new ${kind.name}<u64>(16);\``);
  checkSymbolName(decl.name, "a map");
  const type = p.checker.getTypeAtLocation(decl.name);
  const args = init.arguments ?? [];
  const shape = kind.types(p, p.checker.getTypeArguments(type as TS.TypeReference), decl.name, { nodes: args, constant: (e) => constantValue(p, e, constants), at: init });
  const base = { kind, name: decl.name.text, binding: decl.name, key: shape.key, value: shape.value, mapType: shape.mapType ?? kind.mapType, keyless: shape.keyless ?? false, linear: shape.linear, exported, node: init };
  // A kind of a fixed size (a histogram's buckets, a keyless count) takes no count.
  const fixed = shape.entries ?? kind.entries;
  if (fixed !== undefined) return { ...base, maxEntries: fixed };
  const entriesArg = args[kind.settings ?? 0];
  if (!entriesArg && kind.defaultEntries !== undefined) return { ...base, maxEntries: kind.defaultEntries };
  const entries = entriesArg && constantValue(p, entriesArg, constants);
  if (entries === undefined || entries < 1n || entries > MAX_MAP_ENTRIES)
    throw errorAt(entriesArg ?? init, Codes.badMap, `a map's number of entries must be a constant from 1 to ${MAX_MAP_ENTRIES}`, `e.g. new ${kind.name}<u64>(16)`);
  const refused = kind.checkEntries?.(entries);
  if (refused) throw errorAt(entriesArg!, Codes.badMap, refused.message, refused.hint);
  return { ...base, maxEntries: Number(entries) };
}

function param(p: CheckedSource, decl: TS.VariableDeclaration, init: TS.CallExpression, isConst: boolean, earlier: ParamDecl[]): ParamDecl {
  const { ts } = p;
  if (!isConst || !ts.isIdentifier(decl.name)) throw errorAt(decl, Codes.badParam, "a param must be bound with `const` to a plain name", 'write `const LIMIT = param<u32>("LIMIT", 100);`');
  const [nameArg, defArg] = init.arguments;
  if (!nameArg || !ts.isStringLiteralLike(nameArg) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameArg.text))
    throw errorAt(nameArg ?? init, Codes.badParam, "a param's name must be a string literal identifier", 'e.g. param<u32>("TARGET_PID", 0)');
  const twin = earlier.find((d) => d.name === nameArg.text);
  if (twin)
    throw errorAt(nameArg, Codes.badParam, `a param named "${nameArg.text}" is already declared (line ${lineColumn(twin.node).line})`, "each param needs its own name: `--param NAME=V` sets one value");
  const type = typeAt(p, decl.name);
  if (type.kind !== "int") throw errorAt(decl.name, Codes.badParam, "a param must have an integer type", 'write the type explicitly: param<u32>("X", 0)');
  let def: bigint | undefined;
  if (defArg) {
    const neg = ts.isPrefixUnaryExpression(defArg) && defArg.operator === ts.SyntaxKind.MinusToken;
    const lit = neg ? (defArg as TS.PrefixUnaryExpression).operand : defArg;
    const magnitude = ts.isNumericLiteral(lit) ? integerLiteral(lit.getText()) : undefined;
    if (magnitude !== undefined) def = neg ? -magnitude : magnitude;
  }
  if (def === undefined) throw errorAt(defArg ?? init, Codes.badParam, "a param's default must be an integer literal", 'e.g. param<u32>("TARGET_PID", 0)');
  const [min, max] = intRange(type);
  if (def < min || def > max) throw errorAt(defArg!, Codes.badParam, `${def} does not fit in ${type.name}`, `a ${type.name} holds ${min} to ${max}`);
  return { name: nameArg.text, binding: decl.name, type, defaultValue: def, node: init };
}

/** Top-level code that would do something when run (a call, a loop), unlike declarations. */
function isStatementThatRuns(ts: typeof TS, stmt: TS.Statement): boolean {
  return !(
    ts.isVariableStatement(stmt) ||
    ts.isFunctionDeclaration(stmt) ||
    ts.isInterfaceDeclaration(stmt) ||
    ts.isTypeAliasDeclaration(stmt) ||
    ts.isEnumDeclaration(stmt) ||
    ts.isImportDeclaration(stmt) ||
    ts.isExportDeclaration(stmt) ||
    ts.isEmptyStatement(stmt) ||
    ts.isClassDeclaration(stmt) || // refused by its own rule
    ts.isModuleDeclaration(stmt) ||
    ts.isExportAssignment(stmt)
  );
}

/** A program's or map's name is its symbol in the object and its name in the kernel: a C identifier. */
function checkSymbolName(name: TS.Identifier, what: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.text))
    throw errorAt(name, Codes.badSymbolName, `'${name.text}' cannot name ${what}`, `${what}'s name is its name in the kernel and in the object file: use ASCII letters, digits and _`);
}

/** The ELF sections of an object besides its programs' own: a symbol may not share a section's name. */
export const FIXED_SECTIONS = ["license", ".maps", ".rodata.params"];

/**
 * A program named like an ELF section of the object (`xdp`, `license`) would be a symbol of the
 * section's name, which the object file cannot hold ("changed binding", "symbol redefinition").
 */
function checkNoSectionNames(p: CheckedSource, decls: ModuleDecls): void {
  const sections = new Set([...FIXED_SECTIONS, ...decls.programs.map((d) => d.section)]);
  for (const { name, node } of [...decls.programs.map((d) => ({ name: d.name, node: d.declaration.name! })), ...decls.maps.map((d) => ({ name: d.name, node: d.binding }))]) {
    if (sections.has(name))
      p.diagnostics.report(errorAt(node, Codes.badSymbolName, `'${name}' cannot name a program or map: it is the name of an ELF section of this object`, `rename it (e.g. '${name}Program')`));
  }
}

/** A call that declares a program or a param (`tracepoint(…)`, `param(…)`), wherever it is. */
export function isDeclaringCall(p: CheckedSource, call: TS.CallExpression): boolean {
  const name = stdlibName(p, call.expression);
  return name !== undefined && (name === "param" || programKindNamed(name) !== undefined);
}

/** The calls that declare programs and params where they may: a top-level `const`'s value. */
export function topLevelDeclarations(p: CheckedSource): Set<TS.Node> {
  const { ts } = p;
  return new Set(p.source.statements.flatMap((s) => (ts.isVariableStatement(s) ? s.declarationList.declarations.flatMap((d) => (d.initializer ? [d.initializer] : [])) : [])));
}
