// The load-time parameters as one C struct, in declaration order, laid out by the contract (as
// LLVM lays out the IR struct). The runtime writes values at these offsets.

import { plainCType, sizeOf, structLayout, type CField, type CStruct } from "../../contract/c-layout.js";
import type { ParamLayout } from "../../contract/manifest.js";
import type { ParamDecl } from "../frontend/module-scan.js";

/** One section of its own: libbpf makes it a map of its own, so offsets start at 0. */
export const PARAMS_SECTION = ".rodata.params";

const paramsStruct = (fields: CField[]): CStruct => ({ kind: "struct", name: "tsbpf_params", fields });

export function paramLayout(params: ParamDecl[]): ParamLayout[] {
  const fields = params.map((d) => ({ name: d.name, type: plainCType(d.type) }));
  const { offsets } = structLayout(paramsStruct(fields));
  return params.map((d, i) => ({ name: d.name, type: d.type.name, cType: fields[i].type, offset: offsets[i], defaultValue: String(d.defaultValue) }));
}

/** The struct's size, which its BTF must give exactly. */
export function paramsSize(layout: ParamLayout[]): number {
  return sizeOf(paramsStruct(layout.map((l) => ({ name: l.name, type: l.cType }))));
}
