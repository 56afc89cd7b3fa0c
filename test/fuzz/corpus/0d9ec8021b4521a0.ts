// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 403 mutant 502 (a program named LICENSE)
// class: internal Error: internal compiler error: LLVM could not parse the generated IR: FILE:N:N: error: redefinition of function '…' @ index.js
// options: {}
import { xdp } from "tsbpf";
export const LICENSE = xdp(() => 1);
