// tsbpf fuzz case (test/fuzz/README.md): by hand, for seed 401 mutant 331 (an xdp program returning u64)
// class: no-location: Cannot find global type '…'.
// options: {}
import { xdp, u64 } from "tsbpf";
export const wide = xdp(() => u64(1));
