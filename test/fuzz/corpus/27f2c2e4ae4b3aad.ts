// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 402 mutant 359 (a program named license)
// class: died SIGABRT: error: <unknown>:N: invalid symbol redefinition
// options: {}
import { xdp } from "tsbpf";
export const license = xdp(() => 1);
