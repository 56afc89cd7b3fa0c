// Strings compared in the kernel: a Str with a string literal or with another Str (`===`, `!==`,
// `==`, `!=`), and `s.startsWith("literal")`. A Str<N>'s value is its bytes up to the first NUL,
// or all N of them where there is none, as user space decodes it (contract/c-values.ts).
// No helper compares stack memory on every kernel (bpf_strncmp, 5.17+, wants its constant in a
// read-only map): a literal is compared byte by byte with no branch, a Str with a Str in a
// loop that tests once per 4 bytes (D95).

import type * as TS from "typescript";
import { BOOL, typeIfKnown, type StrType } from "../frontend/probe-types.js";
import { constInt, type Value } from "../ir/ir-module.js";
import { i1, i64, i8 } from "../ir/ir-types.js";
import type { Operand } from "./arith.js";
import type { ExpressionLowerer } from "./expressions.js";

type StrOperand = { value: Value; type: StrType };

/** `a === b` where a side is a Str (the other a Str or a string literal); undefined otherwise. */
export function strEquality(l: ExpressionLowerer, e: TS.BinaryExpression, equal: boolean): Operand | undefined {
  const [left, right] = [stringLiteral(l, e.left), stringLiteral(l, e.right)];
  const isStr = (x: TS.Expression) => typeIfKnown(l.p, x)?.kind === "str";
  if (!(left && isStr(e.right)) && !(right && isStr(e.left)) && !(isStr(e.left) && isStr(e.right))) return undefined;
  l.at(e);
  let same: Value;
  if (left || right) same = equalsLiteral(l, strOperand(l, left ? e.right : e.left), (left ?? right)!.text);
  else same = strsEqual(l, strOperand(l, e.left), strOperand(l, e.right));
  return { value: equal ? same : l.b.binary("xor", same, constInt(i1, 1)), type: BOOL };
}

/** `s.startsWith("literal")`: the Str's first bytes are the literal's (the frontend refuses another argument). */
export function lowerStartsWith(l: ExpressionLowerer, call: TS.CallExpression): Operand {
  const ts = l.p.ts;
  const prefix = call.arguments[0] && stringLiteral(l, call.arguments[0]);
  if (!ts.isPropertyAccessExpression(call.expression) || !prefix) return l.notChecked(call, "startsWith without a string literal");
  const s = strOperand(l, call.expression.expression);
  const bytes = utf8(prefix.text);
  const fits = bytes !== undefined && bytes.length <= s.type.length;
  return { value: fits ? bytesEqual(l, s.value, bytes) : constInt(i1, 0), type: BOOL };
}

function stringLiteral(l: ExpressionLowerer, e: TS.Expression): TS.StringLiteralLike | undefined {
  const ts = l.p.ts;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return ts.isStringLiteralLike(e) ? e : undefined;
}

function strOperand(l: ExpressionLowerer, e: TS.Expression): StrOperand {
  const v = l.expression(e);
  if (v.type.kind !== "str") return l.notChecked(e, `comparing a ${v.type.kind} as a string`);
  return { value: v.value, type: v.type };
}

/** A literal's UTF-8 bytes; undefined for one holding a NUL, which no Str's value does. */
function utf8(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, "utf8");
  return bytes.includes(0) ? undefined : bytes;
}

/**
 * The Str equals the literal: its bytes, then a NUL where the Str has room for one (a full Str,
 * with no NUL, is all its N bytes). A literal longer than the Str never equals it: false, folded.
 */
function equalsLiteral(l: ExpressionLowerer, s: StrOperand, text: string): Value {
  const bytes = utf8(text);
  if (!bytes || bytes.length > s.type.length) return constInt(i1, 0);
  return bytesEqual(l, s.value, bytes.length < s.type.length ? [...bytes, 0] : [...bytes]);
}

/**
 * Whether the bytes at `ptr` are `expected`: the differences or-ed together and tested once, so
 * the code is straight (LLVM merges neighbouring bytes into wider loads where it can).
 */
function bytesEqual(l: ExpressionLowerer, ptr: Value, expected: ArrayLike<number>): Value {
  let diff: Value | undefined;
  for (let i = 0; i < expected.length; i++) {
    const x = l.b.binary("xor", l.b.load(l.b.byteOffset(ptr, i, i8), 1), constInt(i8, expected[i]));
    diff = diff ? l.b.binary("or", diff, x) : x;
  }
  return diff ? l.b.icmp("eq", diff, constInt(i8, 0)) : constInt(i1, 1);
}

/** Bytes compared between two tests of whether the strings are already decided. */
const CHUNK = 4;

/**
 * Two Strs as C strings, over the bytes both have. Each byte adds its difference while no NUL
 * has been seen (`live`, 1 until then), with no branch on the data; a loop over chunks of 4
 * bytes stops once a difference or the NUL is found, so the verifier keeps one pending branch
 * per chunk, not per byte (a test per byte passed its limit of 8192 with two Str<4096>: "the
 * sequence of 8193 jumps is too complex"). Longer chunks make LLVM spill (96 bytes of stack at
 * 8, 216 at 16). The bytes past the last whole chunk follow, straight.
 */
function strsEqual(l: ExpressionLowerer, a: StrOperand, b: StrOperand): Value {
  const { b: ir, fn } = l;
  const common = Math.min(a.type.length, b.type.length);
  const [live, diff] = [fn.alloca(i64, 8), fn.alloca(i64, 8)];
  ir.store(constInt(i64, 1), live);
  ir.store(constInt(i64, 0), diff);
  const byteAt = (s: StrOperand, at: Value | number) => ir.cast("zext", ir.load(ir.byteOffset(s.value, at, i8), 1), i64);
  const step = (at: Value | number): void => {
    const x = byteAt(a, at);
    const before = ir.load(live);
    // diff |= (x ^ y) & -live: a difference counts only before the NUL that ends both.
    ir.store(ir.binary("or", ir.load(diff), ir.binary("and", ir.binary("xor", x, byteAt(b, at)), ir.binary("sub", constInt(i64, 0), before))), diff);
    // live &= (x != 0), as (x + 255) >> 8: hidden from LLVM, which would make it a compare, and a
    // compare a branch (BPF has no set-on-condition instruction).
    const nonZero = ir.binary("lshr", ir.inlineAsm(i64, "", "=r,0", [ir.binary("add", x, constInt(i64, 255))]), constInt(i64, 8));
    ir.store(ir.binary("and", before, nonZero), live);
  };
  const chunked = common - (common % CHUNK);
  if (chunked) {
    const index = fn.alloca(i64, 8);
    ir.store(constInt(i64, 0), index);
    const loop = fn.newBlock("streq.chunk");
    const more = fn.newBlock("streq.more");
    const rest = fn.newBlock("streq.rest");
    ir.br(loop);
    ir.positionAt(loop);
    const i = ir.load(index);
    for (let j = 0; j < CHUNK; j++) step(j ? ir.binary("add", i, constInt(i64, j)) : i);
    const following = ir.binary("add", i, constInt(i64, CHUNK));
    ir.store(following, index);
    // Decided: a difference, or the NUL that ends both (one test: diff | (live ^ 1)).
    const decided = ir.binary("or", ir.load(diff), ir.binary("xor", ir.load(live), constInt(i64, 1)));
    ir.condBr(ir.icmp("ne", decided, constInt(i64, 0)), rest, more);
    ir.positionAt(more);
    ir.condBr(ir.icmp("ult", following, constInt(i64, chunked)), loop, rest);
    ir.positionAt(rest);
  }
  for (let j = chunked; j < common; j++) step(j); // nothing changes once decided

  // Equal if nothing differed and, where no NUL came in the common bytes, the longer Str ends there.
  const same = ir.icmp("eq", ir.load(diff), constInt(i64, 0));
  const longer = a.type.length > b.type.length ? a : b.type.length > a.type.length ? b : undefined;
  if (!longer) return same;
  const ended = ir.binary("or", ir.icmp("eq", ir.load(live), constInt(i64, 0)), ir.icmp("eq", byteAt(longer, common), constInt(i64, 0)));
  return ir.binary("and", same, ended);
}
