// tsbpf fuzz case (test/fuzz/README.md): seed 401, mutant 331 of test/fixtures/language/literals.ts: replace "u32" by "void" (shrunk by main.js --minimize)
// class: no-location: Cannot find global type '…'.
// options: {}
import { xdp, param       } from "tsbpf" 
    paramLow = xdp(() => void(M)) 
