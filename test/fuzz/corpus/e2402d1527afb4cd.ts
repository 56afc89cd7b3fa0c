// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 402 mutant 752 (a program named xdp, as its section)
// class: died SIGABRT: error: <unknown>:N: xdp changed binding to STB_GLOBAL
// options: {}
import { xdp as program } from "tsbpf";
export const xdp = program(() => 1);
