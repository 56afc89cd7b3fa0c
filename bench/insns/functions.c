#include "common.h"
/* tsbpf keeps all params in one struct (one address for all); so does this C, to compare code
 * generation rather than data layout. */
const volatile struct { __u64 A, B; __s64 SA, SB; } P = {};
#define A P.A
#define B P.B
#define SA P.SA
#define SB P.SB

SEC("xdp") int arith(void *ctx) { return (__u32)(((__u32)A * 3 + (__u32)B) ^ (A >> 2)); }
SEC("xdp") int udiv(void *ctx) { return (__u32)(A / B + A % B); }
SEC("xdp") int udiv32(void *ctx) { return (__u32)A / (__u32)B; }
/* BPF before cpu v4 has no signed division: written on magnitudes, as tsbpf lowers it. */
static __s64 sdiv64(__s64 a, __s64 b) {
  __u64 ua = a < 0 ? -(__u64)a : a, ub = b < 0 ? -(__u64)b : b;
  __u64 q = ua / ub;
  return (a < 0) != (b < 0) ? -(__s64)q : (__s64)q;
}
static __s64 srem64(__s64 a, __s64 b) {
  __u64 ua = a < 0 ? -(__u64)a : a, ub = b < 0 ? -(__u64)b : b;
  __u64 r = ua % ub;
  return a < 0 ? -(__s64)r : (__s64)r;
}
SEC("xdp") int sdiv(void *ctx) { return (__u32)sdiv64(SA, SB); }
SEC("xdp") int srem(void *ctx) { return (__u32)srem64(SA, SB); }
SEC("xdp") int shifts(void *ctx) { return (__u32)((A << (B & 63)) | (A >> 7)) ^ (__u32)(SA >> 3); }
SEC("xdp") int popcount(void *ctx) {
  __u32 s = 0;
  for (__u32 i = 0; i < 64; i++) s += (__u32)((A >> i) & 1);
  return s;
}
SEC("xdp") int classify(void *ctx) {
  switch (A % 8) {
  case 0: return 10;
  case 1: return 20;
  case 2:
  case 3: return 30;
  case 5: return 50;
  default: return 0;
  }
}
static __s64 clamp(__s64 x, __s64 lo, __s64 hi) { return x < lo ? lo : x > hi ? hi : x; }
SEC("xdp") int clamped(void *ctx) { return (__u32)(clamp(SA, -100, 100) + 100); }
static __u64 mix(__u32 x, __u16 y, __u8 z) { return ((__u64)x << 16) + (__u64)y * z; }
SEC("xdp") int narrow(void *ctx) { return (__u32)(mix((__u32)A, (__u16)B, (__u8)(A >> 8)) >> 3); }
SEC("xdp") int compare(void *ctx) { return ((__s32)SA < (__s32)SB ? 1 : 0) + ((__u32)A < (__u32)B ? 2 : 0) + (SA == SB ? 4 : 0); }
