// The differential tester's JavaScript half: the reference evaluator against results worked out
// by hand from C's rules (int = 32, long = 64 bits, BPF division by zero), and the generator,
// printer and shrinker against the properties the kernel half relies on.

import { argSets, edgeValues } from "../differential/args.js";
import * as A from "../differential/ast.js";
import type { Expr, FieldRef, Func, Program, Stmt, StructDecl } from "../differential/ast.js";
import { checkProgram, retype } from "../differential/check.js";
import { generateProgram } from "../differential/generate.js";
import { HEADER, printCall, printConstant, printFunction, printProgram, printTypes } from "../differential/print.js";
import { evaluate } from "../differential/reference.js";
import { renameProgram } from "../differential/rename.js";
import { describeMismatch } from "../differential/report.js";
import { minimizeProgram, programSize, shrinkCandidates } from "../differential/shrink.js";
import { typecheckSources } from "../differential/typecheck.js";
import { INT_TYPES, range, type IntType } from "../differential/reference-types.js";
import { exprsOf, stmtsOf } from "../differential/walk.js";

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

/** A value of type `ty` (exact for any 64-bit value). */
const v = (ty: IntType, value: bigint | number): Expr => A.constant(BigInt(value), ty);
const n = (value: number | bigint): Expr => A.lit(BigInt(value));
const fn = (name: string, params: [string, IntType][], ret: IntType, body: Stmt[]): Func => ({
  name,
  params: params.map(([pn, ty]) => ({ name: pn, ty })),
  ret,
  body,
});

/** Evaluates `e` returned as `ret` (i64 by default: wide enough to show the result type's sign). */
function value(e: Expr, ret: IntType = "i64"): bigint {
  return evaluate({ functions: [fn("f", [], ret, [A.ret(e)])] }, "f", []);
}
/** Every expression of a function. */
const exprsOfProgram = (f: Func): Expr[] => exprsOf(f.body);
/** A boolean as 1 / 0. */
const truth = (e: Expr): bigint => value(A.cond(e, n(1), n(0)));
/** Runs statements in `f(): ret` that end with a return. */
const run = (ret: IntType, body: Stmt[]): bigint => evaluate({ functions: [fn("f", [], ret, body)] }, "f", []);

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

// ── The evaluator against hand-computed C results ────────────────────────────────────────────

describe("reference evaluator: + - * and the usual arithmetic conversions", () => {
  test("u8 + u8 is promoted to int: 200 + 100 = 300, no 8-bit wrap", () => expect(value(A.arith("+", v("u8", 200), v("u8", 100)))).toBe(300n));
  test("u8 * u8: 255 * 255 = 65025", () => expect(value(A.arith("*", v("u8", 255), v("u8", 255)))).toBe(65025n));
  test("u8 - u8 is a signed int: 0 - 1 = -1", () => expect(value(A.arith("-", v("u8", 0), v("u8", 1)))).toBe(-1n));
  test("u16 * u16 overflows int: 65535 * 65535 wraps to -131071", () => expect(value(A.arith("*", v("u16", 65535), v("u16", 65535)))).toBe(-131071n));
  test("u32 wraps: 0xffffffff + 1 = 0", () => expect(value(A.arith("+", v("u32", 0xffffffff), n(1)))).toBe(0n));
  test("u32 wraps: 0 - 1 = 4294967295", () => expect(value(A.arith("-", v("u32", 0), v("u32", 1)))).toBe(4294967295n));
  test("u32 * u32 wraps: 0x10000 * 0x10000 = 0", () => expect(value(A.arith("*", v("u32", 0x10000), v("u32", 0x10000)))).toBe(0n));
  test("i32 max + 1 wraps to i32 min", () => expect(value(A.arith("+", v("i32", 0x7fffffff), n(1)))).toBe(-2147483648n));
  test("i32 with u32 is u32: -1 + 0u = 4294967295", () => expect(value(A.arith("+", v("i32", -1), v("u32", 0)))).toBe(4294967295n));
  test("i64 with u32 is i64: -1 + 0u = -1", () => expect(value(A.arith("+", v("i64", -1), v("u32", 0)))).toBe(-1n));
  test("i32 with u64 is u64: -1 + 0 = 2^64 - 1", () => expect(value(A.arith("+", v("i32", -1), v("u64", 0)), "u64")).toBe(U64_MAX));
  test("i8 with u16 are both int: -1 + 65535 = 65534", () => expect(value(A.arith("+", v("i8", -1), v("u16", 65535)))).toBe(65534n));
  test("u64 + 1 carries past 32 bits: 0xffffffff + 1 = 2^32", () => expect(value(A.arith("+", v("u64", 0xffffffff), n(1)))).toBe(4294967296n));
  test("i64 * wraps: 2^62 * 4 = 0", () => expect(value(A.arith("*", v("i64", 1n << 62n), n(4)))).toBe(0n));
  test("& | ^ on mixed signs: i32 -1 & u16 0xf0f0 = 0xf0f0", () => expect(value(A.arith("&", v("i32", -1), v("u16", 0xf0f0)))).toBe(0xf0f0n));
});

describe("reference evaluator: literals", () => {
  test("2147483648 is an i64 literal: 0x80000000 + i32 0 does not wrap", () => expect(value(A.arith("+", n(0x80000000), v("i32", 0)))).toBe(2147483648n));
  test("-2147483648 is one i32 literal: minus 1 wraps to 2147483647", () => expect(value(A.arith("-", n(-2147483648), n(1)))).toBe(2147483647n));
  test("-(2147483648) is unary minus on an i64: minus 1 is -2147483649", () => expect(value(A.arith("-", A.unary("-", n(2147483648)), n(1)))).toBe(-2147483649n));
  test("0xffffffff is an i64 literal: 0xffffffff + 1 = 2^32", () => expect(value(A.arith("+", n(0xffffffff), n(1)))).toBe(4294967296n));
});

describe("reference evaluator: / and %", () => {
  test("signed division truncates toward zero: -7 / 2 = -3", () => expect(value(A.arith("/", n(-7), n(2)))).toBe(-3n));
  test("-7 % 2 = -1", () => expect(value(A.arith("%", n(-7), n(2)))).toBe(-1n));
  test("7 % -2 = 1", () => expect(value(A.arith("%", n(7), n(-2)))).toBe(1n));
  test("7 / -2 = -3, -7 / -2 = 3, -7 % -2 = -1", () => {
    expect(value(A.arith("/", n(7), n(-2)))).toBe(-3n);
    expect(value(A.arith("/", n(-7), n(-2)))).toBe(3n);
    expect(value(A.arith("%", n(-7), n(-2)))).toBe(-1n);
  });
  test("INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0 (i32)", () => {
    expect(value(A.arith("/", v("i32", -2147483648), n(-1)))).toBe(-2147483648n);
    expect(value(A.arith("%", v("i32", -2147483648), n(-1)))).toBe(0n);
  });
  test("INT64_MIN / -1 = INT64_MIN and INT64_MIN % -1 = 0", () => {
    expect(value(A.arith("/", v("i64", I64_MIN), v("i64", -1)))).toBe(I64_MIN);
    expect(value(A.arith("%", v("i64", I64_MIN), v("i64", -1)))).toBe(0n);
  });
  test("unsigned by zero: 7 / 0 = 0, 7 % 0 = 7", () => {
    expect(value(A.arith("/", v("u32", 7), v("u32", 0)))).toBe(0n);
    expect(value(A.arith("%", v("u32", 7), v("u32", 0)))).toBe(7n);
  });
  test("signed by zero: -7 / 0 = 0, -7 % 0 = -7, INT64_MIN % 0 = INT64_MIN", () => {
    expect(value(A.arith("/", n(-7), n(0)))).toBe(0n);
    expect(value(A.arith("%", n(-7), n(0)))).toBe(-7n);
    expect(value(A.arith("%", v("i64", I64_MIN), v("i64", 0)))).toBe(I64_MIN);
  });
  test("u64 max % 0 = u64 max", () => expect(value(A.arith("%", v("u64", U64_MAX), n(0)), "u64")).toBe(U64_MAX));
  test("i32 -8 / u32 2 divides unsigned: 4294967288 / 2 = 2147483644", () => expect(value(A.arith("/", n(-8), v("u32", 2)))).toBe(2147483644n));
  test("i32 -7 % u32 2 is unsigned: 4294967289 % 2 = 1", () => expect(value(A.arith("%", n(-7), v("u32", 2)))).toBe(1n));
  test("i64 -7 / u32 2 stays signed: -3", () => expect(value(A.arith("/", v("i64", -7), v("u32", 2)))).toBe(-3n));
});

describe("reference evaluator: shifts", () => {
  test("the count is masked: i32 1 << 33 = 2, 1 << 32 = 1", () => {
    expect(value(A.arith("<<", n(1), n(33)))).toBe(2n);
    expect(value(A.arith("<<", n(1), n(32)))).toBe(1n);
  });
  test("64-bit counts mask with 63: u64 1 << 64 = 1, 1 << 63 = 2^63", () => {
    expect(value(A.arith("<<", v("u64", 1), n(64)), "u64")).toBe(1n);
    expect(value(A.arith("<<", v("u64", 1), n(63)), "u64")).toBe(1n << 63n);
  });
  test("i64 1 << 63 is INT64_MIN", () => expect(value(A.arith("<<", v("i64", 1), n(63)))).toBe(I64_MIN));
  test("u8 is promoted: u8 1 << 31 = INT_MIN, u8 255 << 8 = 65280", () => {
    expect(value(A.arith("<<", v("u8", 1), n(31)))).toBe(-2147483648n);
    expect(value(A.arith("<<", v("u8", 255), n(8)))).toBe(65280n);
  });
  test("the result has the left type: i8 -1 << u64 1 is i32 -2, not u64", () => expect(value(A.arith("<<", v("i8", -1), v("u64", 1)))).toBe(-2n));
  test("a negative count is masked: 1 << -1 = 1 << 31", () => expect(value(A.arith("<<", n(1), n(-1)))).toBe(-2147483648n));
  test(">> is arithmetic on signed: -8 >> 1 = -4, -1 >> 31 = -1, i8 -128 >> 1 = -64", () => {
    expect(value(A.arith(">>", n(-8), n(1)))).toBe(-4n);
    expect(value(A.arith(">>", n(-1), n(31)))).toBe(-1n);
    expect(value(A.arith(">>", v("i8", -128), n(1)))).toBe(-64n);
  });
  test(">> is logical on unsigned: u32 0x80000000 >> 31 = 1, u64 2^63 >> 63 = 1", () => {
    expect(value(A.arith(">>", v("u32", 0x80000000), n(31)))).toBe(1n);
    expect(value(A.arith(">>", v("u64", 1n << 63n), n(63)))).toBe(1n);
  });
  test("i64 -1 >> 64 masks to >> 0: -1", () => expect(value(A.arith(">>", v("i64", -1), n(64)))).toBe(-1n));
  test(">>> of a negative i32 is logical: -1 >>> 1 = 2147483647", () => expect(value(A.arith(">>>", n(-1), n(1)))).toBe(2147483647n));
  test(">>> keeps the signed type: -1 >>> 0 = -1, -1 >>> 32 = -1", () => {
    expect(value(A.arith(">>>", n(-1), n(0)))).toBe(-1n);
    expect(value(A.arith(">>>", n(-1), n(32)))).toBe(-1n);
  });
  test(">>> on the promoted width: i8 -1 >>> 28 = 15, i64 -1 >>> 60 = 15", () => {
    expect(value(A.arith(">>>", v("i8", -1), n(28)))).toBe(15n);
    expect(value(A.arith(">>>", v("i64", -1), n(60)))).toBe(15n);
  });
});

describe("reference evaluator: comparisons and booleans", () => {
  test("i32 -1 < u32 1 compares unsigned: false", () => expect(truth(A.compare("<", n(-1), v("u32", 1)))).toBe(0n));
  test("i64 -1 < u32 1 compares signed: true", () => expect(truth(A.compare("<", v("i64", -1), v("u32", 1)))).toBe(1n));
  test("i16 -1 < u16 1: both promote to int, true", () => expect(truth(A.compare("<", v("i16", -1), v("u16", 1)))).toBe(1n));
  test("i32 -1 === u32 0xffffffff: true", () => expect(truth(A.compare("===", n(-1), v("u32", 0xffffffff)))).toBe(1n));
  test("u64 max === i64 -1: true; i32 -1 !== u64 max: false", () => {
    expect(truth(A.compare("===", v("u64", U64_MAX), v("i64", -1)))).toBe(1n);
    expect(truth(A.compare("!==", n(-1), v("u64", U64_MAX)))).toBe(0n);
  });
  test("<= and >= at the edge", () => {
    expect(truth(A.compare("<=", v("u8", 255), v("i8", -1)))).toBe(0n);
    expect(truth(A.compare(">=", v("u32", 0), n(-1)))).toBe(0n);
  });
  test("! is x == 0", () => {
    expect(truth(A.not(n(0)))).toBe(1n);
    expect(truth(A.not(n(5)))).toBe(0n);
  });
  test("&& and || on truthiness; upper 32 bits count", () => {
    expect(truth(A.logic("&&", n(5), n(-1)))).toBe(1n);
    expect(truth(A.logic("||", n(0), n(0)))).toBe(0n);
    expect(truth(A.logic("&&", v("u64", 1n << 32n), n(1)))).toBe(1n);
    expect(truth(A.logic("||", v("u8", 0), A.compare("<", n(1), n(2))))).toBe(1n);
  });
});

describe("reference evaluator: unary operators and the ternary", () => {
  test("-u32 1 is u32: 4294967295", () => expect(value(A.unary("-", v("u32", 1)))).toBe(4294967295n));
  test("-u8 1 is int: -1", () => expect(value(A.unary("-", v("u8", 1)))).toBe(-1n));
  test("-INT64_MIN = INT64_MIN", () => expect(value(A.unary("-", v("i64", I64_MIN)))).toBe(I64_MIN));
  test("~ is x ^ -1: ~u8 0 = -1, ~u32 0 = 0xffffffff, ~u64 0 = all ones", () => {
    expect(value(A.unary("~", v("u8", 0)))).toBe(-1n);
    expect(value(A.unary("~", v("u32", 0)))).toBe(4294967295n);
    expect(value(A.unary("~", v("u64", 0)), "u64")).toBe(U64_MAX);
    expect(value(A.unary("~", v("i8", 0)))).toBe(-1n);
  });
  test("+u8 5 = 5", () => expect(value(A.unary("+", v("u8", 5)))).toBe(5n));
  test("ternary arms convert to their common type: true ? i32 -1 : u32 0 = 4294967295", () => expect(value(A.cond(A.boolLit(true), n(-1), v("u32", 0)))).toBe(4294967295n));
  test("the untaken arm decides the type too: false ? u64 0 : i32 -1 = 2^64 - 1", () => expect(value(A.cond(A.boolLit(false), v("u64", 0), n(-1)), "u64")).toBe(U64_MAX));
  test("an integer test is truthy when non-zero", () => expect(value(A.cond(v("u64", 1n << 40n), n(7), n(8)))).toBe(7n));
});

describe("reference evaluator: conversions", () => {
  test("casts truncate: u8(300) = 44, i8(200) = -56, i8(-129) = 127, u16(-1) = 65535", () => {
    expect(value(A.cast("u8", n(300)))).toBe(44n);
    expect(value(A.cast("i8", n(200)))).toBe(-56n);
    expect(value(A.cast("i8", n(-129)))).toBe(127n);
    expect(value(A.cast("u16", n(-1)))).toBe(65535n);
  });
  test("casts extend by the source's signedness", () => {
    expect(value(A.cast("i64", v("u32", 0xffffffff)))).toBe(4294967295n);
    expect(value(A.cast("i64", v("i32", -1)))).toBe(-1n);
    expect(value(A.cast("u64", v("i8", -1)), "u64")).toBe(U64_MAX);
    expect(value(A.cast("u32", v("i16", -2)))).toBe(4294967294n);
    expect(value(A.cast("i16", v("u8", 255)))).toBe(255n);
  });
  test("the return value converts to the declared type: 255 as i8 = -1", () => expect(value(n(255), "i8")).toBe(-1n));
  test("a declared variable converts: let x: u8 = 300 gives 44", () => expect(run("i64", [A.letStmt("x", "u8", n(300)), A.ret(A.ref("x", "u8"))])).toBe(44n));
  test("a boolean local converts to 0 / 1 through a ternary", () =>
    expect(run("i64", [A.letStmt("b", "bool", A.compare(">", n(2), n(1))), A.ret(A.cond(A.ref("b", "bool"), n(1), n(0)))])).toBe(1n));
});

describe("reference evaluator: assignments, loops and calls", () => {
  const x = (ty: IntType) => A.ref("x", ty);
  test("x += on u8: 250 + 10 = 4", () => expect(run("i64", [A.letStmt("x", "u8", n(250)), A.assign("x", "+=", n(10)), A.ret(x("u8"))])).toBe(4n));
  test("x++ on i8 127 wraps to -128", () => expect(run("i64", [A.letStmt("x", "i8", n(127)), A.incdec("x", "++"), A.ret(x("i8"))])).toBe(-128n));
  test("x-- on u32 0 wraps to 4294967295", () => expect(run("i64", [A.letStmt("x", "u32", n(0)), A.incdec("x", "--"), A.ret(x("u32"))])).toBe(4294967295n));
  test("x <<= 9 on u8 1 is 0", () => expect(run("i64", [A.letStmt("x", "u8", n(1)), A.assign("x", "<<=", n(9)), A.ret(x("u8"))])).toBe(0n));
  test("x /= -1 on i8 -128 is -128 (128 does not fit)", () => expect(run("i64", [A.letStmt("x", "i8", n(-128)), A.assign("x", "/=", n(-1)), A.ret(x("i8"))])).toBe(-128n));
  test("x *= x on u16 65535 is 1", () => expect(run("i64", [A.letStmt("x", "u16", n(65535)), A.assign("x", "*=", x("u16")), A.ret(x("u16"))])).toBe(1n));
  test("x >>>= 1 on i16 -2: promoted to i32, 0x7fffffff, back to i16 = -1", () =>
    expect(run("i64", [A.letStmt("x", "i16", n(-2)), A.assign("x", ">>>=", n(1)), A.ret(x("i16"))])).toBe(-1n));
  test("a loop sums its u32 counter: 0 + 1 + … + 7 = 28", () =>
    expect(run("i64", [A.letStmt("s", "i64", n(0)), A.forStmt("i", 8, [A.assign("s", "+=", A.ref("i", "u32"))]), A.ret(A.ref("s", "i64"))])).toBe(28n));
  test("nested loops run 3 × 4 times", () =>
    expect(run("i64", [A.letStmt("s", "i64", n(0)), A.forStmt("i", 3, [A.forStmt("j", 4, [A.incdec("s", "++")])]), A.ret(A.ref("s", "i64"))])).toBe(12n));
  test("the counter is a u32: i - 1 at i = 0 is 4294967295", () =>
    expect(run("i64", [A.letStmt("s", "i64", n(0)), A.forStmt("i", 1, [A.assign("s", "=", A.arith("-", A.ref("i", "u32"), n(1)))]), A.ret(A.ref("s", "i64"))])).toBe(4294967295n));
  test("if / else picks a branch", () => {
    const body = (c: Expr) => [A.letStmt("r", "i32", n(0)), A.ifStmt(c, [A.assign("r", "=", n(1))], [A.assign("r", "=", n(2))]), A.ret(A.ref("r", "i32"))];
    expect(run("i64", body(A.compare("<", n(1), n(2))))).toBe(1n);
    expect(run("i64", body(A.compare(">", n(1), n(2))))).toBe(2n);
  });
  const callee = fn("g", [["a", "u8"]], "u32", [A.ret(A.ref("a", "u8"))]);
  const caller = (ret: Expr): Program => ({ functions: [callee, fn("f", [], "i64", [A.ret(ret)])] });
  test("arguments convert to the parameter type: g(300) sees 44", () => expect(evaluate(caller(A.call(callee, [n(300)])), "f", [])).toBe(44n));
  test("the call has the return type: g(0) - 1 is u32 4294967295", () =>
    expect(evaluate(caller(A.arith("-", A.call(callee, [n(0)]), n(1))), "f", [])).toBe(4294967295n));
  test("evaluate converts its arguments: f(a: i8) given 255 sees -1", () => {
    const p = { functions: [fn("f", [["a", "i8"]], "i64", [A.ret(A.ref("a", "i8"))])] };
    expect(evaluate(p, "f", [255n])).toBe(-1n);
  });
});

describe("reference evaluator: struct fields", () => {
  const S0: StructDecl = { name: "S0", fields: [{ name: "a", ty: "u8" }, { name: "b", ty: "i8" }, { name: "c", ty: "u64" }] };
  const S1: StructDecl = { name: "S1", fields: [{ name: "p", ty: { struct: "S0" } }, { name: "q", ty: "u16" }] };
  const structs = [S0, S1];
  // Field types are filled in by retype (a placeholder until then); the program must be valid.
  const f = (path: string, ty: IntType = "i32"): FieldRef => A.field("s", path.split("."), ty);
  const s0 = (a: Expr, b: Expr, c: Expr) => A.letStruct("s", "S0", A.object({ a, b, c }));
  const s1 = (a: Expr, b: Expr, c: Expr, q: Expr) => A.letStruct("s", "S1", A.object({ p: A.object({ a, b, c }), q }));
  const runS = (body: Stmt[], ret: IntType = "i64", params: [string, IntType][] = [], args: bigint[] = []): bigint => {
    const p = { structs, functions: [fn("f", params, ret, body)] };
    expect(checkProgram(p)).toBeNull();
    return evaluate(retype(p), "f", args);
  };

  test("an object literal converts each field: a: u8 = 300 reads back 44, b: i8 = 200 reads -56", () => {
    expect(runS([s0(n(300), n(0), n(0)), A.ret(A.field("s", ["a"], "u8"))])).toBe(44n);
    expect(runS([s0(n(0), n(200), n(0)), A.ret(f("b"))])).toBe(-56n);
    expect(runS([s0(n(0), n(0), n(-1)), A.ret(f("c"))], "u64")).toBe(U64_MAX);
  });
  test("= converts to the field's type: s.a = 300 gives 44, s.b = u32 0xffffff80 gives -128", () => {
    expect(runS([s0(n(0), n(0), n(0)), A.fieldAssign(f("a"), "=", n(300)), A.ret(f("a"))])).toBe(44n);
    expect(runS([s0(n(0), n(0), n(0)), A.fieldAssign(f("b"), "=", v("u32", 0xffffff80)), A.ret(f("b"))])).toBe(-128n);
  });
  test("s.b += x on an i8 field wraps: 100 + 100 = -56", () =>
    expect(runS([s0(n(0), n(100), n(0)), A.fieldAssign(f("b"), "+=", A.ref("x", "u32")), A.ret(f("b"))], "i64", [["x", "u32"]], [100n])).toBe(-56n));
  test("compound assignment computes in C's types first: i8 -2 >>>= 1 is 0x7fffffff, stored as -1", () =>
    expect(runS([s0(n(0), n(-2), n(0)), A.fieldAssign(f("b"), ">>>=", n(1)), A.ret(f("b"))])).toBe(-1n));
  test("++ and -- wrap at the field's width: u8 255++ = 0, u64 0-- = 2^64 - 1, i8 -128-- = 127", () => {
    expect(runS([s0(n(255), n(0), n(0)), A.fieldIncdec(f("a"), "++"), A.ret(f("a"))])).toBe(0n);
    expect(runS([s0(n(0), n(0), n(0)), A.fieldIncdec(f("c"), "--"), A.ret(f("c"))], "u64")).toBe(U64_MAX);
    expect(runS([s0(n(0), n(-128), n(0)), A.fieldIncdec(f("b"), "--"), A.ret(f("b"))])).toBe(127n);
  });
  test("a field read has the field's type: u8 0 - 1 is int -1, u64 0 - 1 is 2^64 - 1", () => {
    expect(runS([s0(n(0), n(0), n(0)), A.ret(A.arith("-", f("a", "u8"), n(1)))])).toBe(-1n);
    expect(runS([s0(n(0), n(0), n(0)), A.ret(A.arith("-", f("c", "u64"), n(1)))], "u64")).toBe(U64_MAX);
  });
  test("an untaken arm's field type counts: false ? s.c (u64) : -1 = 2^64 - 1", () =>
    expect(runS([s0(n(0), n(0), n(5)), A.ret(A.cond(A.boolLit(false), f("c", "u64"), n(-1)))], "u64")).toBe(U64_MAX));
  test("nested fields: s.p.a = 300 reads 44, s.p.b from 200 is -56, s.q keeps its own cell", () => {
    expect(runS([s1(n(1), n(2), n(3), n(70000)), A.fieldAssign(f("p.a"), "=", n(300)), A.ret(A.arith("+", f("p.a"), f("q")))])).toBe(44n + 4464n);
    expect(runS([s1(n(1), n(200), n(3), n(4)), A.fieldAssign(f("p.b"), "-=", n(1)), A.ret(f("p.b"))])).toBe(-57n);
    expect(runS([s1(n(1), n(2), n(3), n(4)), A.fieldIncdec(f("p.c"), "++"), A.fieldIncdec(f("q"), "--"), A.ret(A.arith("*", f("p.c"), f("q")))])).toBe(12n);
  });
  test("literal fields in any order mean the same", () => {
    const rev = A.letStruct("s", "S0", A.object({ c: n(3), b: n(-2), a: n(257) }));
    expect(runS([rev, A.ret(A.arith("+", A.arith("*", f("a"), n(100)), A.arith("+", f("b"), f("c"))))])).toBe(101n);
  });
  test("two struct locals are separate cells; a struct in a loop starts afresh each time", () => {
    const t = (path: string) => A.field("t", [path], "i32");
    const body = [s0(n(1), n(1), n(1)), A.letStruct("t", "S0", A.object({ a: n(5), b: n(5), c: n(5) })), A.fieldIncdec(t("a"), "++"), A.ret(A.arith("+", f("a"), A.arith("*", t("a"), n(10))))];
    expect(runS(body)).toBe(61n);
    const loop = [A.letStruct("t", "S0", A.object({ a: n(0), b: n(0), c: n(0) })), A.forStmt("i", 5, [s0(n(10), n(0), n(0)), A.fieldIncdec(f("a"), "++"), A.fieldAssign(t("a"), "+=", f("a"))]), A.ret(t("a"))];
    expect(runS(loop)).toBe(55n);
  });
});

describe("checker: struct rules", () => {
  const S0: StructDecl = { name: "S0", fields: [{ name: "a", ty: "u8" }] };
  const prog = (body: Stmt[], structs: StructDecl[] = [S0]): Program => ({ structs, functions: [fn("f0", [["x", "u32"]], "i32", body)] });
  const init = A.letStruct("s", "S0", A.object({ a: n(1) }));
  const ok = A.ret(A.field("s", ["a"], "u8"));
  test("a valid use passes", () => expect(checkProgram(prog([init, ok]))).toBeNull());
  test.each<[string, Program]>([
    ["a struct read as a value", prog([init, A.ret(A.ref("s", "i32"))])],
    ["a missing field", prog([A.letStruct("s", "S0", A.object({})), ok])],
    ["an extra field", prog([A.letStruct("s", "S0", A.object({ a: n(1), b: n(2) })), ok])],
    ["an unknown struct", prog([A.letStruct("s", "S9", A.object({ a: n(1) })), ok])],
    ["an unknown field", prog([init, A.ret(A.field("s", ["b"], "u8"))])],
    ["a struct assigned whole", prog([init, A.assign("s", "=", n(1)), ok])],
    ["a boolean field value", prog([A.letStruct("s", "S0", A.object({ a: A.compare("<", n(1), n(2)) })), ok])],
    ["a field read out of scope", prog([A.ifStmt(A.ref("x", "u32"), [init]), ok])],
    ["a struct used before it is declared", prog([init, ok], [{ name: "S1", fields: [{ name: "p", ty: { struct: "S0" } }] }, S0])],
    ["a struct with no fields", prog([A.ret(n(0))], [{ name: "S0", fields: [] }])],
    ["a duplicate field", prog([A.ret(n(0))], [{ name: "S0", fields: [{ name: "a", ty: "u8" }, { name: "a", ty: "u16" }] }])],
    ["a struct named like a function", prog([A.ret(n(0))], [{ name: "f0", fields: [{ name: "a", ty: "u8" }] }])],
    ["a whole nested struct read", prog([A.letStruct("s", "S1", A.object({ p: A.object({ a: n(1) }) })), A.ret(A.field("s", ["p"], "u8"))], [S0, { name: "S1", fields: [{ name: "p", ty: { struct: "S0" } }] }])],
  ])("rejects %s", (_why, p) => expect(checkProgram(p)).not.toBeNull());
});

// ── Generator, printer, shrinker ─────────────────────────────────────────────────────────────

describe("generated programs", () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);
  const programs = seeds.map((s) => generateProgram(s));

  test("a seed reproduces its program exactly", () => {
    for (const s of [1, 2, 42, 300]) expect(printProgram(generateProgram(s))).toBe(printProgram(generateProgram(s)));
    expect(printProgram(generateProgram(1))).not.toBe(printProgram(generateProgram(2)));
  });

  test("follow the shape rules and type-check (depth ≤ 4, loops nested ≤ 2)", () => {
    programs.forEach((p, i) => {
      expect([seeds[i], checkProgram(p, { maxExprDepth: 4, maxLoopDepth: 2 })]).toEqual([seeds[i], null]);
      expect(p.functions.map((f) => f.name)).toEqual(p.functions.map((_, j) => `f${j}`));
      for (const f of p.functions) {
        expect(f.params.length).toBeGreaterThanOrEqual(1);
        expect(f.params.length).toBeLessThanOrEqual(3);
        expect(f.body.length).toBeLessThanOrEqual(8);
      }
    });
  });

  test("print as TypeScript that TypeScript accepts against tsbpf's declarations", () => {
    const sources = programs.map(printProgram);
    for (const s of sources) expect(s.startsWith(HEADER)).toBe(true);
    const errors = typecheckSources(sources);
    const bad = errors.flatMap((e, i) => (e.length ? [`seed ${seeds[i]}: ${e.join("; ")}\n${sources[i]}`] : []));
    expect(bad.slice(0, 3)).toEqual([]);
  });

  test("use structs: declarations, locals, nested fields, field writes (and none without the option)", () => {
    const texts = programs.map(printProgram);
    const count = (re: RegExp) => texts.filter((t) => re.test(t)).length;
    expect(count(/^interface S0 \{/m)).toBeGreaterThan(100);
    expect(count(/const s\d+: S\d = \{/)).toBeGreaterThan(80);
    expect(count(/ s\d+\.\w\.\w/)).toBeGreaterThan(5);
    expect(count(/s\d+\.\w [-+*\/%&|^<>]*= /)).toBeGreaterThan(40);
    expect(count(/s\d+(\.\w)+(\+\+|--);/)).toBeGreaterThan(10);
    for (const p of programs) {
      const names = new Set((p.structs ?? []).map((d) => d.name));
      for (const f of p.functions) for (const s of stmtsOf(f.body)) if (s.kind === "letStruct") expect(names.has(s.struct)).toBe(true);
    }
    for (const s of seeds.slice(0, 50)) {
      const p = generateProgram(s, { structs: false });
      expect(p.structs ?? []).toEqual([]);
      expect(printProgram(p)).not.toMatch(/interface|: S\d/);
    }
  });

  test("evaluate on random arguments to a value of the return type", () => {
    programs.forEach((p, i) => {
      for (const f of p.functions) {
        const [lo, hi] = range(f.ret);
        for (const args of argSets(f, seeds[i], 4)) {
          const r = evaluate(p, f.name, args);
          expect(r >= lo && r <= hi).toBe(true);
        }
      }
    });
  });
});

describe("printer", () => {
  test("prints a known program, with the casts TypeScript needs", () => {
    const g = fn("f0", [["a", "u32"], ["b", "i16"]], "i64", [
      A.letStmt("v0", "u8", A.ref("a", "u32")),
      A.letStmt("v1", "bool", A.compare("<", A.ref("b", "i16"), n(-5)), false),
      A.forStmt("i", 4, [A.assign("v0", "+=", A.unary("-", n(2147483648)))]),
      A.ret(A.cond(A.ref("v1", "bool"), A.ref("v0", "u8"), n(0xffffffff))),
    ]);
    const h = fn("f1", [["c", "i8"]], "u16", [A.ret(A.call(g, [A.ref("c", "i8"), A.lit(0x1234n, true)]))]);
    expect(printProgram({ functions: [g, h] })).toBe(
      [
        HEADER,
        "",
        "function f0(a: u32, b: i16): i64 {",
        "  let v0: u8 = u8(a);",
        "  const v1: boolean = b < (-5);",
        "  for (let i: u32 = 0; i < 4; i++) {",
        "    v0 += -(2147483648);",
        "  }",
        "  return v1 ? v0 : 4294967295;",
        "}",
        "",
        "function f1(c: i8): u16 {",
        "  return u16(f0(u32(c), 0x1234));",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("never prints `> (`, which TypeScript would parse as a generic call", () => {
    const a = A.ref("a", "i32");
    const inner = A.compare(">", a, A.unary("~", a)); // a > (~a) would make `y < (a > (~a) …)` a call
    const e = A.compare("<", a, A.cond(inner, n(1), n(2)));
    const f = fn("f0", [["a", "i32"]], "i32", [A.ret(A.cond(e, n(1), n(0)))]);
    const text = printProgram({ functions: [f] });
    expect(text).toContain("(~a) < a");
    expect(text).not.toMatch(/> \(/);
    expect(typecheckSources([text])).toEqual([[]]);
  });

  test("negative literals print as one literal, in decimal or hex", () => {
    const f = fn("f0", [["a", "i64"]], "i64", [A.ret(A.arith("+", A.arith("*", A.ref("a", "i64"), A.lit(-300n, true)), A.lit(-5n)))]);
    expect(printProgram({ functions: [f] })).toContain("return (a * (-0x12c)) + (-5);");
    expect(evaluate({ functions: [f] }, "f0", [1n])).toBe(-305n);
  });

  test("printConstant gives every 64-bit edge value exactly, as valid TypeScript", () => {
    const sources: string[] = [];
    for (const ty of INT_TYPES) {
      for (const x of edgeValues(ty)) {
        expect(value(A.constant(x, ty), ty)).toBe(x);
        sources.push(`${HEADER}\nfunction f(): ${ty} {\n  return ${printConstant(x, ty)};\n}\n`);
      }
    }
    expect(typecheckSources(sources).flat()).toEqual([]);
  });

  test("describeMismatch shows the call, both values and the program", () => {
    const f = fn("f0", [["a", "u64"]], "i8", [A.ret(A.ref("a", "u64"))]);
    const text = describeMismatch({ program: { functions: [f] }, fn: "f0", args: [U64_MAX], expected: -1n, actual: 127n, seed: 9 });
    expect(text).toContain(printCall(f, [U64_MAX]));
    expect(text).toContain("-1 (0xff as i8)");
    expect(text).toContain("127 (0x7f as i8)");
    expect(text).toContain("function f0(a: u64): i8 {");
  });
});

describe("printer: structs", () => {
  const S0: StructDecl = { name: "S0", fields: [{ name: "a", ty: "u8" }, { name: "b", ty: "i32" }, { name: "c", ty: "u64" }] };
  const S1: StructDecl = { name: "S1", fields: [{ name: "p", ty: { struct: "S0" } }, { name: "q", ty: "u16" }] };
  const s = (...path: string[]) => A.field("s", path, "i32"); // retype fills in the field types
  const t = (...path: string[]) => A.field("t", path, "i32");
  const raw: Program = {
    structs: [S0, S1],
    functions: [
      fn("f0", [["x", "u32"], ["y", "i16"]], "i64", [
        A.letStruct("s", "S0", A.object({ a: A.cast("u8", A.ref("x", "u32")), b: A.ref("y", "i16"), c: n(5) })),
        A.fieldAssign(s("b"), "+=", A.ref("x", "u32")),
        A.fieldAssign(s("a"), "=", A.arith("*", s("a"), n(3))),
        A.fieldIncdec(s("c"), "++"),
        A.letStruct("t", "S1", A.object({ q: s("c"), p: A.object({ a: s("b"), b: A.ref("x", "u32"), c: s("a") }) })),
        A.fieldAssign(t("p", "a"), "=", t("q")),
        A.fieldAssign(t("q"), "=", A.cast("u16", t("p", "c"))),
        A.ret(A.arith("+", A.arith("+", s("a"), s("b")), A.arith("+", t("p", "a"), t("q")))),
      ]),
    ],
  };
  const p = retype(raw);

  test("printTypes gives the interfaces in order, one per line; nothing without structs", () => {
    expect(printTypes(p)).toBe("interface S0 { a: u8; b: i32; c: u64 }\ninterface S1 { p: S0; q: u16 }");
    expect(printTypes({ functions: [] })).toBe("");
    expect(printTypes({ structs: [], functions: [] })).toBe("");
  });

  test("prints interfaces first, then functions with the casts fields need", () => {
    expect(printProgram(p)).toBe(
      [
        HEADER,
        "",
        "interface S0 { a: u8; b: i32; c: u64 }",
        "interface S1 { p: S0; q: u16 }",
        "",
        "function f0(x: u32, y: i16): i64 {",
        "  const s: S0 = { a: u8(x), b: y, c: 5 };",
        "  s.b += x;",
        "  s.a = s.a * 3;",
        "  s.c++;",
        "  const t: S1 = { q: u16(s.c), p: { a: u8(s.b), b: i32(x), c: s.a } };",
        "  t.p.a = u8(t.q);",
        "  t.q = u16(t.p.c);",
        "  return (s.a + s.b) + (t.p.a + t.q);",
        "}",
        "",
      ].join("\n"),
    );
    expect(printProgram(p).endsWith(`\n\n${printFunction(p.functions[0])}\n`)).toBe(true);
    expect(typecheckSources([printProgram(p)])).toEqual([[]]);
  });

  test("evaluates as C would", () => {
    // x = 0x1ff, y = -3: a = 0xff, b = -3 + 0x1ff = 508, a = 0xff * 3 = 765 → 253, c = 6;
    // t.q = 6, t.p = { a: 508 → 252, b: 511, c: 253 }; t.p.a = 6; t.q = 253. 253 + 508 + 6 + 253.
    expect(evaluate(p, "f0", [0x1ffn, -3n])).toBe(1020n);
  });

  test("without struct annotations TypeScript would refuse what the printer casts", () => {
    const text = printProgram(p).replace("u8(x)", "x");
    expect(typecheckSources([text])[0].length).toBeGreaterThan(0);
  });
});

describe("renameProgram", () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i + 1);
  const programs = seeds.map((s) => generateProgram(s));

  test("prefixes every function and struct name and every reference to them", () => {
    programs.forEach((p, i) => {
      const before = printProgram(p);
      const r = renameProgram(p, `p${seeds[i]}_`);
      expect(printProgram(p)).toBe(before); // the original is untouched
      expect(checkProgram(r)).toBeNull();
      expect(r.functions.map((f) => f.name)).toEqual(p.functions.map((f) => `p${seeds[i]}_${f.name}`));
      expect((r.structs ?? []).map((d) => d.name)).toEqual((p.structs ?? []).map((d) => `p${seeds[i]}_${d.name}`));
      // Every property that names a function or a struct carries the prefix.
      const names: string[] = [];
      const walk = (x: unknown): void => {
        if (Array.isArray(x)) x.forEach(walk);
        else if (x && typeof x === "object") {
          const o = x as Record<string, unknown>;
          if (typeof o.struct === "string") names.push(o.struct);
          if (o.kind === "call") names.push(o.fn as string);
          Object.values(o).forEach(walk);
        }
      };
      walk(r);
      for (const name of names) expect(name.startsWith(`p${seeds[i]}_`)).toBe(true);
    });
  });

  test("evaluates the same", () => {
    programs.forEach((p, i) => {
      const r = renameProgram(p, "q_");
      for (const f of p.functions) for (const args of argSets(f, seeds[i], 2)) expect(evaluate(r, `q_${f.name}`, args)).toBe(evaluate(p, f.name, args));
    });
  });

  test("lets many programs share one file that TypeScript accepts (printTypes + printFunction)", () => {
    const renamed = programs.map((p, i) => renameProgram(p, `p${seeds[i]}_`));
    const lines = [HEADER, ""];
    for (const r of renamed) if (printTypes(r)) lines.push(printTypes(r), "");
    for (const r of renamed) r.functions.forEach((f, i) => lines.push(printFunction(f, r.functions.slice(0, i)), ""));
    expect(renamed.filter((r) => r.structs?.length).length).toBeGreaterThan(20);
    expect(typecheckSources([lines.join("\n")])).toEqual([[]]);
  });
});

describe("shrinker", () => {
  test("candidates are smaller and well-typed, and TypeScript accepts them (every other one checked)", () => {
    const sources: string[] = [];
    for (const s of [3, 17, 99]) {
      const p = generateProgram(s);
      const cs = shrinkCandidates(p);
      expect(cs.length).toBeGreaterThan(0);
      for (const c of cs) {
        expect(programSize(c)).toBeLessThan(programSize(p));
        expect(checkProgram(c)).toBeNull();
        for (const f of c.functions) for (const args of argSets(f, s, 1)) evaluate(c, f.name, args);
        if (cs.indexOf(c) % 2 === 0) sources.push(printProgram(c));
      }
    }
    const bad = typecheckSources(sources).flatMap((e, i) => (e.length ? [`${e.join("; ")}\n${sources[i]}`] : []));
    expect(bad.slice(0, 3)).toEqual([]);
  });

  test("shrinks structs: drops unused ones, fields, struct locals, field writes; valid TypeScript", () => {
    const sources: string[] = [];
    const fieldCount = (p: Program) => (p.structs ?? []).reduce((s, d) => s + d.fields.length, 0);
    const locals = (p: Program) => p.functions.flatMap((f) => stmtsOf(f.body)).filter((s) => s.kind === "letStruct").length;
    const writes = (p: Program) => p.functions.flatMap((f) => stmtsOf(f.body)).filter((s) => s.kind === "fieldAssign" || s.kind === "fieldIncdec").length;
    const fieldReads = (p: Program) => p.functions.flatMap((f) => exprsOfProgram(f)).filter((e) => e.kind === "field").length;
    const picked = Array.from({ length: 300 }, (_, i) => i + 1)
      .map((s) => generateProgram(s))
      .filter((p) => / s\d+\.\w\.\w/.test(printProgram(p)) && writes(p) > 0)
      .slice(0, 3);
    expect(picked).toHaveLength(3);
    for (const p of picked) {
      const cs = shrinkCandidates(p);
      cs.forEach((c, k) => {
        expect(programSize(c)).toBeLessThan(programSize(p));
        expect(checkProgram(c)).toBeNull();
        for (const f of c.functions) for (const args of argSets(f, 1, 1)) evaluate(c, f.name, args);
        // TypeScript checks every struct or field removal, and a sample of the rest.
        if (k % 25 === 0 || (c.structs ?? []).length < (p.structs ?? []).length || fieldCount(c) < fieldCount(p) || locals(c) < locals(p)) sources.push(printProgram(c));
      });
      if (p.structs!.some((d) => d.fields.length > 1)) expect(cs.some((c) => fieldCount(c) < fieldCount(p) && (c.structs ?? []).length === p.structs!.length)).toBe(true);
      expect(cs.some((c) => locals(c) < locals(p))).toBe(true);
      expect(cs.some((c) => writes(c) < writes(p) && locals(c) === locals(p))).toBe(true);
      expect(cs.some((c) => fieldReads(c) < fieldReads(p) && locals(c) === locals(p) && fieldCount(c) === fieldCount(p))).toBe(true);
    }
    const unused: Program = { structs: [{ name: "S0", fields: [{ name: "a", ty: "u8" }] }], functions: [fn("f0", [["x", "u8"]], "u8", [A.ret(A.ref("x", "u8"))])] };
    expect(shrinkCandidates(unused).some((c) => (c.structs ?? []).length === 0)).toBe(true);
    const bad = typecheckSources(sources).flatMap((e, i) => (e.length ? [`${e.join("; ")}\n${sources[i]}`] : []));
    expect(bad.slice(0, 3)).toEqual([]);
  });

  test("minimize reduces a struct program to what the predicate needs", async () => {
    // Needs a field write that wraps at 8 bits: a u8 or i8 field assigned somewhere.
    const wraps8 = (c: Program) => {
      const text = printProgram(c);
      return /s\d+(\.\w)+ \+= /.test(text) && c.functions.some((f) => stmtsOf(f.body).some((s) => s.kind === "fieldAssign" && s.op === "+=" && (s.target.ty === "u8" || s.target.ty === "i8")));
    };
    const p = Array.from({ length: 300 }, (_, i) => generateProgram(i + 1)).find((c) => wraps8(c) && programSize(c) > 60)!;
    expect(p).toBeDefined();
    const m = await minimizeProgram(p, wraps8);
    expect(wraps8(m)).toBe(true);
    expect(m.functions).toHaveLength(1);
    expect(m.structs!.reduce((s, d) => s + d.fields.length, 0)).toBeLessThanOrEqual(2);
    expect(programSize(m)).toBeLessThanOrEqual(16);
  });

  test("minimize keeps what the predicate needs and drops the rest", async () => {
    const hasDivision = (c: Program) => printProgram(c).includes(" / ");
    const p = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => generateProgram(s)).find((c) => hasDivision(c) && programSize(c) > 40)!;
    expect(p).toBeDefined();
    const m = await minimizeProgram(p, hasDivision);
    expect(hasDivision(m)).toBe(true);
    expect(m.functions).toHaveLength(1);
    expect(m.functions[0].body.length).toBeLessThanOrEqual(2);
    expect(programSize(m)).toBeLessThanOrEqual(10);
    expect(programSize(m)).toBeLessThan(programSize(p));
  });
});
