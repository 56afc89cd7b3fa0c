// Each kind of program may call only the helpers the kernel offers it (kinds/helper-sets.ts):
// a call that the verifier would refuse for the whole program is an error at the call, with the
// chain of functions that leads to it from the program.

import type * as TS from "typescript";
import { ALL_HELPERS } from "../kinds/helper-sets.js";
import type { CallGraph, Calls } from "./call-graph.js";
import type { CheckedSource } from "./checked-source.js";
import { Codes } from "./codes.js";
import type { ModuleDecls } from "./module-scan.js";
import { errorAt } from "./spans.js";

export function checkProgramHelpers(p: CheckedSource, decls: ModuleDecls, graph: CallGraph): void {
  for (const program of decls.programs) {
    const { kind } = program;
    const seen = new Set<TS.FunctionDeclaration>();
    const check = (calls: Calls, via: string[]): void => {
      for (const { name, at } of calls.stdlib) {
        if (!ALL_HELPERS.has(name) || kind.helpers.has(name)) continue;
        const path = via.length ? ` (program '${program.name}' calls it through ${via.map((f) => `'${f}'`).join(" → ")})` : "";
        p.diagnostics.report(errorAt(
          at,
          Codes.helperNotForKind,
          `${name}() is not available to ${kind.name} programs${path}: the kernel does not offer this helper to them`,
          `the helpers ${kind.name} programs may call: ${[...kind.helpers].join(", ")}`,
        ));
      }
      for (const { callee } of calls.functions) {
        if (seen.has(callee)) continue;
        seen.add(callee);
        check(graph.ofFunction.get(callee)!, [...via, callee.name!.text]);
      }
    };
    check(graph.ofProgram.get(program)!, []);
  }
}
