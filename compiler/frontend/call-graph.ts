// What each body needs, before anything is lowered: for each module function and each program's
// handler, the module functions it calls, the stdlib functions (helpers) it calls, the params
// it reads and the maps it uses, looking through the module constants it uses. Recursion and the helpers each
// program kind may call are checked on it (subset.ts, program-helpers.ts); lowering takes the
// order it lowers functions in from it.

import type * as TS from "typescript";
import type { CheckedSource } from "./checked-source.js";
import { stdlibName, type MapDecl, type ModuleDecls, type ParamDecl, type ProgramDecl } from "./module-scan.js";

export interface Calls {
  /** Module functions called, each with its call. */
  functions: { callee: TS.FunctionDeclaration; at: TS.CallExpression }[];
  /** tsbpf's functions called, by stdlib name. */
  stdlib: { name: string; at: TS.CallExpression }[];
  /** Load-time params read, each once. */
  params: ParamDecl[];
  /** Maps used, each once. */
  maps: MapDecl[];
}

export interface CallGraph {
  ofFunction: ReadonlyMap<TS.FunctionDeclaration, Calls>;
  ofProgram: ReadonlyMap<ProgramDecl, Calls>;
}

export function buildCallGraph(p: CheckedSource, decls: ModuleDecls): CallGraph {
  const { ts } = p;
  const functions = new Map<TS.Symbol, TS.FunctionDeclaration>(decls.functions.map((f) => [p.symbolAt(f.name!)!, f]));
  const params = new Map<TS.Symbol, ParamDecl>(decls.params.map((d) => [p.symbolAt(d.binding)!, d]));
  const maps = new Map<TS.Symbol, MapDecl>(decls.maps.map((d) => [p.symbolAt(d.binding)!, d]));
  const callsIn = (body: TS.Node): Calls => {
    const calls: Calls = { functions: [], stdlib: [], params: [], maps: [] };
    const seenConstants = new Set<TS.Symbol>();
    const visit = (n: TS.Node): void => {
      if (ts.isCallExpression(n)) {
        const sym = p.symbolAt(n.expression);
        const callee = sym && functions.get(sym);
        if (callee) calls.functions.push({ callee, at: n });
        const name = callee ? undefined : stdlibName(p, n.expression);
        if (name) calls.stdlib.push({ name, at: n });
      }
      if (ts.isIdentifier(n)) {
        // A module constant is lowered where it is used: its calls are this body's.
        const sym = p.symbolAt(n);
        const param = sym && params.get(sym);
        if (param && !calls.params.includes(param)) calls.params.push(param);
        const map = sym && maps.get(sym);
        if (map && !calls.maps.includes(map)) calls.maps.push(map);
        const init = sym && !seenConstants.has(sym) ? decls.constants.get(sym)?.initializer : undefined;
        if (sym && init) {
          seenConstants.add(sym);
          visit(init);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    return calls;
  };
  return {
    ofFunction: new Map(decls.functions.map((f) => [f, callsIn(f.body!)])),
    ofProgram: new Map(decls.programs.map((d) => [d, callsIn(d.handler.body)])),
  };
}
