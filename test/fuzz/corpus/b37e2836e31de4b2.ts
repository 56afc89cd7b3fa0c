// tsbpf fuzz case (test/fuzz/README.md): seed 401, mutant 1370 of test/fixtures/language/scratch.ts: replace "40" by "129" (shrunk by main.js --minimize)
// class: died SIGABRT: error: FILE:N:N: in function … iN (ptr): A call to built-in function '…' is not supported.
// options: {}
import { xdp,    param,       u32, u64, type FixedArray } from "tsbpf";
const A = param<u64>("A", 0);
interface Big { xs: FixedArray<u64, 40>; ys: FixedArray<u64, 129> }
export const big = xdp(() => {
  const b: Big = { xs: [1      ], ys: [] };
  const c: FixedArray<u64, 40> = [];
  let s: u64 = 0;
  return u32(s + b.xs[2]);
  const d: FixedArray<u64, 70> = [];
}) 
