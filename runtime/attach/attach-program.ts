// Attaches a loaded program by its kind: each kind's attacher is a file in this folder, listed
// here (the compiler's half of each kind is compiler/kinds/).

import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import type { LoadedProgram } from "../loader.js";
import type { Link } from "./link.js";
import type { ProgramAttacher } from "./program-attacher.js";
import { rawTracepointAttacher } from "./raw-tracepoint.js";
import { tpBtfAttacher } from "./tp-btf.js";
import { tracepointAttacher } from "./tracepoint.js";
import { xdpAttacher } from "./xdp.js";

export type { Link } from "./link.js";

const ATTACHERS: ReadonlyMap<string, ProgramAttacher> = new Map([tracepointAttacher, rawTracepointAttacher, tpBtfAttacher, xdpAttacher].map((a) => [a.kind, a]));

/** What a program waits for, if `attach()` does not attach it (xdp: an interface). */
export function waitsFor(p: ProgramInfo): string | undefined {
  const attacher = ATTACHERS.get(p.kind);
  return attacher && "waitsFor" in attacher ? attacher.waitsFor : undefined;
}

export function attachProgram(p: LoadedProgram, file: string): Link {
  const attacher = ATTACHERS.get(p.info.kind);
  if (!attacher || !("attach" in attacher))
    throw new TsbpfError(`programs of kind '${p.info.kind}' cannot be attached by this version of tsbpf`, { subject: `program '${p.info.name}'`, hint: "rebuild the probe with this version's compiler" });
  return attacher.attach(p, file);
}
