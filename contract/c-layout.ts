// C layout facts shared by the compiler (which lays data out) and the runtime (which reads and
// writes it): plain arithmetic, no TypeScript and no native code.

/** The values an integer of this width and signedness holds, inclusive. */
export function intRange(t: { bits: number; signed: boolean }): [bigint, bigint] {
  const bits = BigInt(t.bits);
  return t.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}
