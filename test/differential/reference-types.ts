// The type rules of the probe language (C with int = 32 and long = 64 bits), on exact BigInt
// values. Shared by the generator (to annotate expressions) and the reference evaluator; written
// from the language description, not from compiler/, so that the two implementations can disagree.

export type IntType = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";
export type Type = IntType | "bool";

export const INT_TYPES: readonly IntType[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

export function bits(t: IntType): 8 | 16 | 32 | 64 {
  return Number(t.slice(1)) as 8 | 16 | 32 | 64;
}

export function isSigned(t: IntType): boolean {
  return t[0] === "i";
}

export function isInt(t: Type): t is IntType {
  return t !== "bool";
}

/** Smallest and largest value of an integer type. */
export function range(t: IntType): [bigint, bigint] {
  const w = BigInt(bits(t));
  return isSigned(t) ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/** Two's-complement wrap of any integer into `t` (truncation; the sign comes from `t`). */
export function wrap(v: bigint, t: IntType): bigint {
  return isSigned(t) ? BigInt.asIntN(bits(t), v) : BigInt.asUintN(bits(t), v);
}

/**
 * Converts a value of type `from` to `to`. Values are always held exactly (a negative i8 is a
 * negative bigint), so wrapping them is both truncation and extension by the source signedness.
 */
export function convertValue(v: bigint, from: Type, to: Type): bigint {
  if (to === "bool") return v !== 0n ? 1n : 0n;
  if (from === "bool") return v !== 0n ? 1n : 0n;
  return wrap(v, to);
}

/** Integer promotion: narrower than 32 bits (and bool) becomes i32. */
export function promotedType(t: Type): IntType {
  return t === "bool" || bits(t) < 32 ? "i32" : t;
}

/** The usual arithmetic conversions, after promoting both sides. */
export function common(a: Type, b: Type): IntType {
  const x = promotedType(a);
  const y = promotedType(b);
  if (x === y) return x;
  if (isSigned(x) === isSigned(y)) return bits(x) >= bits(y) ? x : y;
  const [u, s] = isSigned(x) ? [y, x] : [x, y];
  return bits(u) >= bits(s) ? u : s;
}

/** A literal is i32 if it fits, else i64, else u64 (the minus sign belongs to the literal). */
export function literalType(v: bigint): IntType {
  if (v >= -(1n << 31n) && v < 1n << 31n) return "i32";
  if (v >= -(1n << 63n) && v < 1n << 63n) return "i64";
  return "u64";
}

// TypeScript's view: each alias is `number` branded with the widths that fit in it, and an alias
// may flow where another is expected only if its brand set is a subset (stdlib/integers.d.ts).
export const BRANDS: Record<IntType, readonly IntType[]> = {
  u8: ["u8"],
  u16: ["u8", "u16"],
  u32: ["u8", "u16", "u32"],
  u64: ["u8", "u16", "u32", "u64"],
  i8: ["i8"],
  i16: ["u8", "i8", "i16"],
  i32: ["u8", "u16", "i8", "i16", "i32"],
  i64: ["u8", "u16", "u32", "i8", "i16", "i32", "i64"],
};

export function brandFits(from: IntType, to: IntType): boolean {
  return BRANDS[from].every((b) => BRANDS[to].includes(b));
}
