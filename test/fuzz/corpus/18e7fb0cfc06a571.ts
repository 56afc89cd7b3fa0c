// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 403 mutant 1551 (a FixedArray length of 41 digits)
// class: internal Error: internal compiler error: LLVM could not parse the generated IR: FILE:N:N: error: expected '…' in argument list @ index.js
// options: {}
import { xdp, type u64, type FixedArray } from "tsbpf";
export const huge = xdp(() => {
  const xs: FixedArray<u64, 99999999999999999999999999999999999999999> = [];
  return 0;
});
