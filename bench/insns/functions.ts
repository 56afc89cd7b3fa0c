// Small functions of the kind probes compute, each an xdp program over load-time params so that
// nothing folds away; functions.c is the same logic in C.
import { xdp, param, u8, u16, u32, u64, i32, i64 } from "tsbpf";

const A = param<u64>("A", 0);
const B = param<u64>("B", 0);
const SA = param<i64>("SA", 0);
const SB = param<i64>("SB", 0);

export const arith = xdp(() => u32((u32(A) * 3 + u32(B)) ^ (A >> 2)));
export const udiv = xdp(() => u32(A / B + A % B));
export const udiv32 = xdp(() => u32(A) / u32(B));
export const sdiv = xdp(() => u32(SA / SB));
export const srem = xdp(() => u32(SA % SB));
export const shifts = xdp(() => u32((A << (B & 63)) | (A >>> 7)) ^ u32(SA >> 3));

export const popcount = xdp(() => {
  let s: u32 = 0;
  for (let i: u32 = 0; i < 64; i++) s += u32((A >> i) & 1);
  return s;
});

export const classify = xdp(() => {
  switch (A % 8) {
    case 0: return 10;
    case 1: return 20;
    case 2:
    case 3: return 30;
    case 5: return 50;
    default: return 0;
  }
});

function clamp(x: i64, lo: i64, hi: i64): i64 {
  return x < lo ? lo : x > hi ? hi : x;
}

export const clamped = xdp(() => u32(clamp(SA, -100, 100) + 100));

function mix(x: u32, y: u16, z: u8): u64 {
  return (u64(x) << 16) + u64(y) * z;
}

export const narrow = xdp(() => u32(mix(u32(A), u16(B), u8(A >> 8)) >> 3));
export const compare = xdp(() => (i32(SA) < i32(SB) ? 1 : 0) + (u32(A) < u32(B) ? 2 : 0) + (SA === SB ? 4 : 0));
