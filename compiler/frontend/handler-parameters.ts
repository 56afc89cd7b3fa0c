// A handler's parameters as the manifest records them (ProgramInfo.parameters), for a kind whose
// runtime checks them against what only the target says (usdt: the binary's note).

import type * as TS from "typescript";
import { plainCType } from "../../contract/c-layout.js";
import type { HandlerParameter } from "../../contract/manifest.js";
import type { CheckedSource } from "./checked-source.js";
import { typeAt, typeName, type ValueType } from "./probe-types.js";
import { lineColumn } from "./spans.js";

export function handlerParameters(p: CheckedSource, handler: TS.SignatureDeclaration): HandlerParameter[] {
  return handler.parameters.map((param) => {
    const type = typeAt(p, param.name) as ValueType;
    return { name: param.name.getText(), type: typeName(type), cType: plainCType(type), at: { ...lineColumn(param), length: param.getWidth() } };
  });
}
