// Where each load-time parameter sits in the parameters' struct: natural alignment, in
// declaration order, as LLVM lays out the struct. The runtime writes values at these offsets.

import type { ParamLayout } from "../../contract/manifest.js";
import type { ParamDecl } from "../frontend/module-scan.js";

/** One section of its own: libbpf makes it a map of its own, so offsets start at 0. */
export const PARAMS_SECTION = ".rodata.params";

export function paramLayout(params: ParamDecl[]): ParamLayout[] {
  let offset = 0;
  return params.map((d) => {
    const size = d.type.bits / 8;
    offset = Math.ceil(offset / size) * size;
    const l = { name: d.name, type: d.type.name, offset, size, signed: d.type.signed, defaultValue: String(d.defaultValue) };
    offset += size;
    return l;
  });
}

/** The struct's size as LLVM lays it out: its end, rounded up to its largest member's alignment. */
export function paramsSize(layout: ParamLayout[]): number {
  if (!layout.length) return 0;
  const last = layout[layout.length - 1];
  const align = Math.max(...layout.map((l) => l.size));
  return Math.ceil((last.offset + last.size) / align) * align;
}
