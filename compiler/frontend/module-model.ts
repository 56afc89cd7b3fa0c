// The typed model of a probe file that lowering starts from: its declarations (programs with
// their kinds, maps and params with their types, functions, constants: module-scan.ts), what
// each program and function needs (the functions and helpers it calls, the params it reads, the
// maps it uses: call-graph.ts), and each function's signature in probe types. Building it runs
// every check that needs no IR (subset.ts, body-checks.ts, program-helpers.ts); they report to
// `p.diagnostics`, and the model is given only to a file without errors, else all of them are
// thrown at once.

import type * as TS from "typescript";
import { checkBodies } from "./body-checks.js";
import { buildCallGraph, type CallGraph } from "./call-graph.js";
import type { CheckedSource } from "./checked-source.js";
import { scanModule, type ModuleDecls } from "./module-scan.js";
import { probeTypeOf, typeAt, typeName, type ProbeType } from "./probe-types.js";
import { Codes } from "./codes.js";
import { errorAt } from "./spans.js";
import { checkSubset } from "./subset.js";

export interface Signature {
  params: ProbeType[];
  returns: ProbeType;
}

export interface ModuleModel extends ModuleDecls {
  /** What each program's handler and each module function needs. */
  uses: CallGraph;
  /** Each module function's parameter and result types. */
  signatures: ReadonlyMap<TS.FunctionDeclaration, Signature>;
}

export function buildModuleModel(p: CheckedSource): ModuleModel {
  const decls = scanModule(p);
  const uses = buildCallGraph(p, decls);
  checkSubset(p, decls, uses);
  checkBodies(p, decls);
  const signatures = new Map<TS.FunctionDeclaration, Signature>();
  for (const f of decls.functions) {
    // A function with errors inside is not lowered; its types could only repeat them (`xs: u32[]`, then `xs[i]`).
    if (p.diagnostics.reportedWithin(f)) continue;
    const signature = p.diagnostics.attempt(() => signatureOf(p, f));
    if (signature) signatures.set(f, signature);
  }
  p.diagnostics.throwIfAny();
  return { ...decls, uses, signatures };
}

function signatureOf(p: CheckedSource, f: TS.FunctionDeclaration): Signature {
  const params = f.parameters.map((param) => noOptional(typeAt(p, param.name), param.name, "take"));
  const sig = p.checker.getSignatureFromDeclaration(f)!;
  return { params, returns: noOptional(probeTypeOf(p, p.checker.getReturnTypeOfSignature(sig), f.type ?? f.name!), f.type ?? f.name!, "return") };
}

/** A map's `V | undefined` stays in the body that looked it up: BPF functions pass registers, not pairs. */
function noOptional(t: ProbeType, at: TS.Node, what: "take" | "return"): ProbeType {
  if (t.kind === "optional")
    throw errorAt(at, Codes.unsupportedType, `a function cannot ${what} a ${typeName(t)}`, "check it where it is looked up (`if (v !== undefined)`, or `v ?? 0`) and pass the value");
  return t;
}
