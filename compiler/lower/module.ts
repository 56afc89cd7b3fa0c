// Lowers a checked probe file to one LLVM IR module: the licence, and one function per
// program in the ELF section libbpf attaches it by.

import { dirname, basename } from "node:path";
import type { ProbeProgram } from "../frontend/program.js";
import type { ProgramDecl } from "../frontend/programs.js";
import { lineColumn } from "../frontend/spans.js";
import { INT_TYPES } from "../frontend/types.js";
import { DebugInfo } from "../ir/debug-info.js";
import { IRModule } from "../ir/module.js";
import { i32, i8, ptrTo, type PointerMode } from "../ir/types.js";
import { packageVersion } from "../paths.js";
import { FunctionLowerer } from "./function.js";

export function lowerModule(p: ProbeProgram, programs: ProgramDecl[], mode: PointerMode): string {
  const debug = new DebugInfo({
    fileName: basename(p.fileName),
    directory: dirname(p.fileName),
    source: p.text,
    producer: `tsbpf ${packageVersion}`,
  });
  const m = new IRModule(mode, debug);
  for (const prog of programs) m.uniqueName(prog.name); // program names are the BPF function names: reserve them

  // GPL: bpf_trace_printk and most tracing helpers are GPL-only.
  const char = debug.basicType("char", 8, "signed_char");
  m.addCString("LICENSE", "GPL", {
    section: "license",
    linkage: "dso_local",
    used: true,
    dbg: debug.globalVariable({ name: "LICENSE", line: 1, type: debug.arrayType(char, 4), local: false }),
  });

  const int = debug.basicType("int", 32, "signed");
  const voidPtr = debug.pointerType(null);
  for (const prog of programs) {
    const { line } = lineColumn(prog.declaration);
    const sp = debug.subprogram({ name: prog.name, line, type: debug.subroutineType(int, [voidPtr]), params: [{ name: "ctx", type: voidPtr }] });
    const fn = m.addFunction({ name: prog.name, ret: i32, params: [{ name: "ctx", type: ptrTo(i8) }], section: prog.section, dbg: sp });
    new FunctionLowerer(p, m, fn, sp, prog.name).body(prog.handler.body, INT_TYPES.i32);
  }
  return m.text();
}
