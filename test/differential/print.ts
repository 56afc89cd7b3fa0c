// Prints a program as TypeScript for the tsbpf compiler. Conversions are implicit in the AST (a
// `let x: u8 = e` converts e to u8); TypeScript, though, refuses an alias whose brand set does not
// fit the target (`let x: u8 = y` with y: u32), so the printer adds the cast `u8(y)` there. Such a
// cast converts to the same type the implicit conversion would, so it never changes the meaning.
// The compiler likewise refuses a literal that does not fit the target (`let x: u8 = 300`): the
// printer casts those too (`u8(300)`), which is the same conversion made explicit.

import { constant, isNestedInit, isStructType, type Expr, type Func, type ObjectLit, type Program, type Stmt } from "./ast.js";
import { BRANDS, INT_TYPES, type IntType, type Type } from "./reference-types.js";

export const HEADER = `import { ${INT_TYPES.join(", ")} } from "tsbpf";`;

/** The header, the struct declarations (if any), then the functions, each followed by a blank line. */
export function printProgram(p: Program): string {
  const types = printTypes(p);
  const fns = p.functions.map((f, i) => printFunction(f, p.functions.slice(0, i)));
  return [HEADER, "", ...(types ? [types, ""] : []), ...fns.flatMap((f) => [f, ""])].join("\n");
}

/**
 * The program's struct declarations, one `interface S0 { a: u8; p: S1 }` per line in order (no
 * final newline); "" when there are none. They go after HEADER and before the functions.
 */
export function printTypes(p: Program): string {
  return (p.structs ?? []).map((d) => `interface ${d.name} { ${d.fields.map((x) => `${x.name}: ${isStructType(x.ty) ? x.ty.struct : x.ty}`).join("; ")} }`).join("\n");
}

/**
 * One function; `callees` gives the parameter types of the functions it calls. Field types are
 * read from the tree (a field's `ty`, an object literal field's `ty`), not from the declarations.
 */
export function printFunction(f: Func, callees: readonly Func[] = []): string {
  const pr = new Printer(new Map(callees.map((g) => [g.name, g])));
  const params = f.params.map((p) => `${p.name}: ${p.ty}`).join(", ");
  const scope = new Map<string, Type>(f.params.map((p) => [p.name, p.ty]));
  return `function ${f.name}(${params}): ${f.ret} {\n${pr.block(f.body, scope, f.ret, 1)}}`;
}

/** An expression on its own (no cast added at the top). */
export function printExpr(e: Expr, callees: readonly Func[] = []): string {
  return new Printer(new Map(callees.map((g) => [g.name, g]))).expr(e);
}

/** The brand set TypeScript sees for an integer expression; null for plain `number`. */
function tsBrands(e: Expr): readonly IntType[] | null {
  switch (e.kind) {
    case "var":
    case "field":
    case "call":
    case "cast":
      return e.ty === "bool" ? null : BRANDS[e.ty];
    case "cond": {
      // TypeScript types a ternary as the union of its arms.
      const a = tsBrands(e.then) ?? [];
      const b = tsBrands(e.else) ?? [];
      return [...new Set([...a, ...b])];
    }
    default:
      return null; // literals, arithmetic and unary expressions are `number`
  }
}

class Printer {
  constructor(private readonly callees: ReadonlyMap<string, Func>) {}

  block(stmts: Stmt[], outer: ReadonlyMap<string, Type>, ret: IntType, indent: number): string {
    const scope = new Map(outer);
    return stmts.map((s) => this.stmt(s, scope, ret, indent)).join("");
  }

  private stmt(s: Stmt, scope: Map<string, Type>, ret: IntType, indent: number): string {
    const pad = "  ".repeat(indent);
    const body = (b: Stmt[], extra?: [string, Type]) => {
      const inner = new Map(scope);
      if (extra) inner.set(...extra);
      return `{\n${this.block(b, inner, ret, indent + 1)}${pad}}`;
    };
    switch (s.kind) {
      case "let":
        scope.set(s.name, s.ty);
        return `${pad}${s.mutable ? "let" : "const"} ${s.name}: ${s.ty === "bool" ? "boolean" : s.ty} = ${this.slot(s.init, s.ty)};\n`;
      case "assign": {
        const ty = scope.get(s.name);
        if (!ty) throw new Error(`assignment to undeclared '${s.name}'`);
        // A compound assignment's value is arithmetic (`x + e` is `number`): no cast needed.
        return `${pad}${s.name} ${s.op} ${s.op === "=" ? this.slot(s.value, ty) : this.expr(s.value)};\n`;
      }
      case "incdec":
        return `${pad}${s.name}${s.op};\n`;
      case "if":
        return `${pad}if (${this.expr(s.test)}) ${body(s.then)}${s.else ? ` else ${body(s.else)}` : ""}\n`;
      case "for": {
        const i = s.counter;
        return `${pad}for (let ${i}: u32 = 0; ${i} < ${s.bound}; ${i}++) ${body(s.body, [i, "u32"])}\n`;
      }
      case "return":
        return `${pad}return ${this.slot(s.value, ret)};\n`;
      case "letStruct":
        return `${pad}const ${s.name}: ${s.struct} = ${this.object(s.init)};\n`;
      case "fieldAssign":
        // As for a local: only `=` may need a cast to the field's type.
        return `${pad}${this.expr(s.target)} ${s.op} ${s.op === "=" ? this.slot(s.value, s.target.ty) : this.expr(s.value)};\n`;
      case "fieldIncdec":
        return `${pad}${this.expr(s.target)}${s.op};\n`;
    }
  }

  /** `{ a: e, p: { … } }`, each value with the cast its field's type needs, as for a `let`. */
  private object(o: ObjectLit): string {
    const fields = o.fields.map((x) => `${x.name}: ${isNestedInit(x) ? this.object(x.value) : this.slot(x.value, x.ty)}`);
    return `{ ${fields.join(", ")} }`;
  }

  /** `e` where a value of type `ty` is expected, with the cast TypeScript needs, if any. */
  private slot(e: Expr, ty: Type): string {
    if (ty === "bool") return this.expr(e);
    const brands = tsBrands(e);
    const fits = e.kind === "lit" ? literalFits(e.value, ty) : brands === null || brands.every((b) => BRANDS[ty].includes(b));
    return fits ? this.expr(e) : `${ty}(${this.expr(e)})`;
  }

  /** `e` as an operand: parenthesised unless it is atomic, so the tree is exactly what it reads. */
  private operand(e: Expr): string {
    const atomic = e.kind === "var" || e.kind === "field" || e.kind === "call" || e.kind === "cast" || e.kind === "bool" || (e.kind === "lit" && e.value >= 0n);
    return atomic ? this.expr(e) : `(${this.expr(e)})`;
  }

  expr(e: Expr): string {
    switch (e.kind) {
      case "lit":
        // A negative literal is printed `-N` / `-0xN`: the compiler reads a minus directly before
        // a numeric literal as part of the literal.
        if (!e.hex) return e.value.toString();
        return e.value < 0n ? `-0x${(-e.value).toString(16)}` : `0x${e.value.toString(16)}`;
      case "bool":
        return String(e.value);
      case "var":
        return e.name;
      case "field":
        return [e.name, ...e.path].join(".");
      case "compare": {
        const [l, r] = [this.operand(e.left), this.operand(e.right)];
        // TypeScript reads `y < (x > (4))` as a generic call `y<(x>(4)`: a `>` is never printed
        // before `(`. `b < a` means the same as `a > b` (same conversions, pure operands).
        return e.op === ">" && r.startsWith("(") ? `${r} < ${l}` : `${l} ${e.op} ${r}`;
      }
      case "arith":
      case "logic":
        return `${this.operand(e.left)} ${e.op} ${this.operand(e.right)}`;
      case "unary":
        // `-(5)`, not `-5`: a unary minus on a literal is not the negative literal (the types
        // differ for 2147483648, whose negation is an i64 but `-2147483648` is an i32).
        return e.operand.kind === "lit" ? `${e.op}(${this.expr(e.operand)})` : `${e.op}${this.operand(e.operand)}`;
      case "not":
        return `!${this.operand(e.operand)}`;
      case "cond":
        return `${this.operand(e.test)} ? ${this.operand(e.then)} : ${this.operand(e.else)}`;
      case "cast":
        return `${e.to}(${this.expr(e.operand)})`;
      case "call": {
        const f = this.callees.get(e.fn);
        const args = e.args.map((a, i) => (f ? this.slot(a, f.params[i].ty) : this.expr(a)));
        return `${e.fn}(${args.join(", ")})`;
      }
    }
  }
}

/** Whether an integer literal holds a value of `ty` as it is (no truncation). */
function literalFits(value: bigint, ty: IntType): boolean {
  const bits = BigInt(ty.slice(1));
  return ty.startsWith("u") ? value >= 0n && value < 1n << bits : value >= -(1n << (bits - 1n)) && value < 1n << (bits - 1n);
}

/** A TypeScript expression of exactly `value` with type `ty`, for any 64-bit value. */
export function printConstant(value: bigint, ty: IntType): string {
  return printExpr(constant(value, ty));
}

/** `f(args)` with each argument an exact constant of its parameter's type. */
export function printCall(f: Func, args: readonly bigint[]): string {
  return `${f.name}(${f.params.map((p, i) => printConstant(args[i], p.ty)).join(", ")})`;
}
