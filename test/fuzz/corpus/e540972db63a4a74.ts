// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 401 mutant 1122 (a compile that fails after handing parts to LLVM, then another)
// class: died on the second compile in one process
// options: {"parts":2}
import { xdp, u32, u64, type FixedArray } from "tsbpf";
export const first = xdp(() => {
  const c: FixedArray<u64, 60> = [];
  for (let i: u32 = 0; i < 60; i++) for (let j: u32 = 0; j < 60; j++) c[j] = c[i] * j + i;
  let s: u64 = 0;
  for (const x of c) s += x;
  return u32(s);
});
export const second = xdp(() => {
  const c: FixedArray<u64, 4> = [];
  return u32(c[9]);
});
