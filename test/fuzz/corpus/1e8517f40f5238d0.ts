// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 402 mutant 1430 (a FixedArray length past 2^64)
// class: internal Error: internal compiler error: LLVM could not parse the generated IR: FILE:N:N: error: value for '…' too large, limit is N @ index.js
// options: {}
import { xdp, type u64, type FixedArray } from "tsbpf";
export const huge = xdp(() => {
  const xs: FixedArray<u64, 0x1ffffffffffffffff> = [];
  return 0;
});
