// Smaller variants of a program, for finding the smallest one that still shows a mismatch. Each
// candidate is one local edit; edits are made without regard to types, then re-typed by check.ts,
// and only valid programs strictly smaller than the original are kept. Candidates that remove
// the most come first, so a greedy search (minimizeProgram) converges quickly.

import * as A from "./ast.js";
import type { Expr, FieldRef, Func, ObjectLit, Program, Stmt, StructDecl } from "./ast.js";
import { CheckError, retype } from "./check.js";
import { printProgram } from "./print.js";
import { exprsOf, mapStmts, rewriteStmts, stmtsOf } from "./walk.js";

/**
 * Nodes, plus what makes a program harder to read: loop iterations, variable and field uses and
 * literals other than 0/1 count double, so that replacing either by 0 is progress. A struct
 * counts itself and its fields.
 */
export function programSize(p: Program): number {
  let n = 0;
  for (const d of p.structs ?? []) n += 1 + d.fields.length;
  for (const f of p.functions) {
    n += 1 + f.params.length + stmtsSize(f.body);
    for (const e of exprsOf(f.body)) n += 1 + ((e.kind === "lit" && e.value !== 0n && e.value !== 1n) || e.kind === "var" || e.kind === "field" ? 1 : 0);
  }
  return n;
}

function stmtsSize(stmts: readonly Stmt[]): number {
  let n = 0;
  for (const s of stmts) {
    n += 1;
    if ((s.kind === "assign" || s.kind === "fieldAssign") && s.op !== "=") n += 1;
    if (s.kind === "if") n += stmtsSize(s.then) + (s.else ? 1 + stmtsSize(s.else) : 0);
    if (s.kind === "for") n += s.bound - 1 + stmtsSize(s.body);
  }
  return n;
}

export function shrinkCandidates(p: Program): Program[] {
  const size = programSize(p);
  const out: Program[] = [];
  const seen = new Set<string>([printProgram(p)]);
  const offer = (c: Program) => {
    let typed: Program;
    try {
      typed = retype(c);
    } catch (e) {
      if (e instanceof CheckError) return;
      throw e;
    }
    if (programSize(typed) >= size) return;
    const text = printProgram(typed);
    if (seen.has(text)) return;
    seen.add(text);
    out.push(typed);
  };

  const structs = p.structs ?? [];
  // Structs that no local and no other struct uses.
  const usedStructs = new Set([
    ...structs.flatMap((d) => d.fields.flatMap((x) => (A.isStructType(x.ty) ? [x.ty.struct] : []))),
    ...p.functions.flatMap((f) => stmtsOf(f.body).flatMap((s) => (s.kind === "letStruct" ? [s.struct] : []))),
  ]);
  structs.forEach((d, i) => {
    if (!usedStructs.has(d.name)) offer({ structs: structs.filter((_, j) => j !== i), functions: p.functions });
  });
  // Whole functions that nothing calls (the caller's test decides whether the one it needs stays).
  const called = new Set(p.functions.flatMap((f) => exprsOf(f.body).flatMap((e) => (e.kind === "call" ? [e.fn] : []))));
  p.functions.forEach((f, i) => {
    if (!called.has(f.name) && p.functions.length > 1) offer({ structs, functions: p.functions.filter((_, j) => j !== i) });
  });
  const withFunction = (i: number, f: Func): Program => ({ structs, functions: p.functions.map((g, j) => (j === i ? f : g)) });
  // A struct local: its reads become 0, its field assignments go.
  p.functions.forEach((f, i) => {
    for (const s of stmtsOf(f.body)) {
      if (s.kind !== "letStruct") continue;
      const body = dropFields(f.body, (t) => t.name === s.name, (st) => (st.kind === "letStruct" && st.name === s.name ? [] : [st]));
      offer(withFunction(i, { ...f, body }));
    }
  });
  // A field of a struct: gone from the declaration and every literal, its reads 0, its writes gone.
  structs.forEach((d, i) => {
    if (d.fields.length < 2) return;
    for (const x of d.fields) {
      const decls = structs.map((e, j) => (j === i ? { ...e, fields: e.fields.filter((y) => y.name !== x.name) } : e));
      const functions = p.functions.map((f) => {
        const locals = new Map(stmtsOf(f.body).flatMap((s): [string, string][] => (s.kind === "letStruct" ? [[s.name, s.struct]] : [])));
        const hit = (t: FieldRef) => fieldPassesThrough(t, locals, structs, d.name, x.name);
        const trim = (st: Stmt): Stmt[] => (st.kind === "letStruct" ? [{ ...st, init: withoutField(st.init, st.struct, structs, d.name, x.name) }] : [st]);
        return { ...f, body: dropFields(f.body, hit, trim) };
      });
      offer({ structs: decls, functions });
    }
  });
  p.functions.forEach((f, i) => {
    for (const body of listVariants(f.body, true)) offer(withFunction(i, { ...f, body }));
  });
  // Parameters: a parameter's uses become 0 and every call loses that argument (keeping at least one).
  p.functions.forEach((f, i) => {
    if (f.params.length < 2) return;
    f.params.forEach((param, k) => {
      const body = mapStmts(f.body, (e) => (e.kind === "var" && e.name === param.name ? A.lit(0n) : e));
      const dropArg = (e: Expr): Expr => (e.kind === "call" && e.fn === f.name ? { ...e, args: e.args.filter((_, m) => m !== k) } : e);
      const functions = p.functions.map((g, j) => (j === i ? { ...f, params: f.params.filter((_, m) => m !== k), body } : { ...g, body: mapStmts(g.body, dropArg) }));
      offer({ structs, functions });
    });
  });
  return out;
}

/** `stmts` with the fields `hit` selects read as 0 and never written; `also` rewrites the rest. */
function dropFields(stmts: readonly Stmt[], hit: (t: FieldRef) => boolean, also: (s: Stmt) => Stmt[]): Stmt[] {
  const read = mapStmts(stmts, (e) => (e.kind === "field" && hit(e) ? A.lit(0n) : e));
  return rewriteStmts(read, (s) => ((s.kind === "fieldAssign" || s.kind === "fieldIncdec") && hit(s.target) ? [] : also(s)));
}

/** Whether the path of `t` goes through field `field` of struct `struct` (`locals`: local → struct). */
function fieldPassesThrough(t: FieldRef, locals: ReadonlyMap<string, string>, structs: readonly StructDecl[], struct: string, field: string): boolean {
  let cur = locals.get(t.name);
  for (const name of t.path) {
    if (cur === struct && name === field) return true;
    const ty = structs.find((d) => d.name === cur)?.fields.find((y) => y.name === name)?.ty;
    cur = ty && A.isStructType(ty) ? ty.struct : undefined;
  }
  return false;
}

/** An object literal of struct `of` without field `field` of struct `struct`, at any depth. */
function withoutField(o: ObjectLit, of: string, structs: readonly StructDecl[], struct: string, field: string): ObjectLit {
  const decl = structs.find((d) => d.name === of);
  const fields = o.fields.flatMap((x): A.FieldInit[] => {
    if (of === struct && x.name === field) return [];
    const ty = decl?.fields.find((y) => y.name === x.name)?.ty;
    if (A.isNestedInit(x) && ty && A.isStructType(ty)) return [{ ...x, value: withoutField(x.value, ty.struct, structs, struct, field) }];
    return [x];
  });
  return { ...o, fields };
}

/** Variants of a statement list: one statement dropped, or one statement replaced. */
function listVariants(stmts: Stmt[], top: boolean): Stmt[][] {
  const out: Stmt[][] = [];
  stmts.forEach((s, i) => {
    // A function body must keep its final return.
    if (!(top && i === stmts.length - 1)) out.push(stmts.filter((_, j) => j !== i));
  });
  stmts.forEach((s, i) => {
    for (const r of stmtVariants(s)) out.push([...stmts.slice(0, i), ...r, ...stmts.slice(i + 1)]);
  });
  return out;
}

/** Replacements for one statement (a list, so that a block can be inlined in its place). */
function stmtVariants(s: Stmt): Stmt[][] {
  const out: Stmt[][] = [];
  switch (s.kind) {
    case "let":
      for (const init of exprVariants(s.init)) out.push([{ ...s, init }]);
      break;
    case "assign":
      if (s.op !== "=") out.push([{ ...s, op: "=" }]);
      for (const value of exprVariants(s.value)) out.push([{ ...s, value }]);
      break;
    case "incdec":
    case "fieldIncdec":
      break;
    case "fieldAssign":
      if (s.op !== "=") out.push([{ ...s, op: "=" }]);
      for (const value of exprVariants(s.value)) out.push([{ ...s, value }]);
      break;
    case "letStruct":
      for (const init of objectVariants(s.init)) out.push([{ ...s, init }]);
      break;
    case "if":
      // Names are unique in a function (check.ts forbids shadowing), so a block can be inlined.
      out.push(s.then);
      if (s.else) out.push(s.else, [{ ...s, else: null }]);
      for (const test of exprVariants(s.test)) out.push([{ ...s, test }]);
      for (const then of listVariants(s.then, false)) out.push([{ ...s, then }]);
      for (const other of s.else ? listVariants(s.else, false) : []) out.push([{ ...s, else: other }]);
      break;
    case "for":
      // Unrolled once, the counter reads as 0.
      out.push(mapStmts(s.body, (e) => (e.kind === "var" && e.name === s.counter ? A.lit(0n) : e)));
      if (s.bound > 1) out.push([{ ...s, bound: 1 }], [{ ...s, bound: Math.floor(s.bound / 2) }]);
      for (const body of listVariants(s.body, false)) out.push([{ ...s, body }]);
      break;
    case "return":
      for (const value of exprVariants(s.value)) out.push([{ ...s, value }]);
      break;
  }
  return out;
}

/** An object literal with one field's value replaced (each variant of each field). */
function objectVariants(o: ObjectLit): ObjectLit[] {
  const out: ObjectLit[] = [];
  o.fields.forEach((x, i) => {
    const values = A.isNestedInit(x) ? objectVariants(x.value).map((value) => ({ ...x, value })) : exprVariants(x.value).map((value) => ({ ...x, value }));
    for (const y of values) out.push({ ...o, fields: o.fields.map((z, j) => (j === i ? y : z)) });
  });
  return out;
}

/** Replacements for one expression: a constant, one of its operands, or an edit inside one. */
function exprVariants(e: Expr): Expr[] {
  const out: Expr[] = [];
  const isConst = (e.kind === "lit" && (e.value === 0n || e.value === 1n)) || e.kind === "bool";
  if (!isConst) out.push(A.lit(0n), A.lit(1n), A.boolLit(false), A.boolLit(true));
  switch (e.kind) {
    case "lit":
    case "bool":
    case "var":
    case "field":
      break;
    case "arith":
    case "compare":
    case "logic":
      out.push(e.left, e.right);
      for (const left of exprVariants(e.left)) out.push({ ...e, left } as Expr);
      for (const right of exprVariants(e.right)) out.push({ ...e, right } as Expr);
      break;
    case "unary":
    case "not":
    case "cast":
      out.push(e.operand);
      for (const operand of exprVariants(e.operand)) out.push({ ...e, operand } as Expr);
      break;
    case "cond":
      out.push(e.then, e.else, e.test);
      for (const test of exprVariants(e.test)) out.push({ ...e, test });
      for (const then of exprVariants(e.then)) out.push({ ...e, then });
      for (const other of exprVariants(e.else)) out.push({ ...e, else: other });
      break;
    case "call":
      out.push(...e.args);
      e.args.forEach((a, i) => {
        for (const v of exprVariants(a)) out.push({ ...e, args: e.args.map((x, j) => (j === i ? v : x)) });
      });
      break;
  }
  return out;
}

/**
 * Greedy minimisation: repeatedly moves to the first candidate for which `stillFails` holds,
 * until none does (or `maxTests` candidates have been tried). Returns the smallest program found.
 */
export async function minimizeProgram(p: Program, stillFails: (c: Program) => boolean | Promise<boolean>, maxTests = 5000): Promise<Program> {
  let current = p;
  let tests = 0;
  outer: for (;;) {
    for (const c of shrinkCandidates(current)) {
      if (++tests > maxTests) return current;
      if (await stillFails(c)) {
        current = c;
        continue outer;
      }
    }
    return current;
  }
}
