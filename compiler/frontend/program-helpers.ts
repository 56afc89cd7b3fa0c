// Each kind of program may call only the helpers of its sets (kinds/helper-sets.ts): another is
// an error at the call, with the set's reason and the chain of functions that leads to it.

import type * as TS from "typescript";
import { RESTRICTED_HELPERS } from "../kinds/helper-sets.js";
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
        const set = RESTRICTED_HELPERS.get(name);
        if (!set || kind.helpers.includes(set)) continue;
        const path = via.length ? ` (program '${program.name}' calls it through ${via.map((f) => `'${f}'`).join(" → ")})` : "";
        p.diagnostics.report(errorAt(
          at,
          Codes.helperNotForKind,
          `${name}() cannot be called from ${kind.name} programs${path}: ${set.unavailable}`,
          `the helpers ${kind.name} programs may call: ${kind.helpers.flatMap((s) => s.names).join(", ")}`,
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
