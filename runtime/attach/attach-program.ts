// One file per program kind; this picks the right one.
import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import type { LoadedProgram } from "../loader.js";
import type { Link } from "./link.js";
import { attachTracepoint } from "./tracepoint.js";

export type { Link } from "./link.js";

/** Programs that `attach()` attaches: xdp waits for an interface (or a test run). */
export function attachable(p: ProgramInfo): boolean {
  return p.kind !== "xdp";
}

export function attachProgram(p: LoadedProgram, file: string): Link {
  switch (p.info.kind) {
    case "tracepoint":
      return attachTracepoint(p, file);
    default:
      throw new TsbpfError(`programs of kind '${p.info.kind}' cannot be attached yet`, { subject: `program '${p.info.name}'` });
  }
}
