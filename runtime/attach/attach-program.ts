// Attaches a loaded program by its kind: each kind's attacher is a file in this folder, listed
// here (the compiler's half of each kind is compiler/kinds/).

import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import type { LoadedProgram } from "../loader.js";
import type { Link } from "./link.js";
import type { AttachOptions, ProgramAttacher } from "./program-attacher.js";
import { rawTracepointAttacher } from "./raw-tracepoint.js";
import { tpBtfAttacher } from "./tp-btf.js";
import { tracepointAttacher } from "./tracepoint.js";
import { xdpAttacher } from "./xdp.js";
import { kprobeAttacher, kretprobeAttacher } from "./kprobe.js";
import { ksyscallAttacher, kretsyscallAttacher } from "./ksyscall.js";
import { fentryAttacher, fexitAttacher } from "./fentry.js";
import { uprobeAttacher, uretprobeAttacher } from "./uprobe.js";
import { usdtAttacher } from "./usdt.js";
import { MissingProbe } from "./kernel-functions.js";
import { intervalAttacher, perfEventAttacher } from "./perf-event.js";

export type { Link } from "./link.js";
export type { AttachOptions } from "./program-attacher.js";

const ATTACHERS: ReadonlyMap<string, ProgramAttacher> = new Map([
    tracepointAttacher, rawTracepointAttacher, tpBtfAttacher, xdpAttacher,
    kprobeAttacher, kretprobeAttacher, ksyscallAttacher, kretsyscallAttacher, fentryAttacher, fexitAttacher, uprobeAttacher, uretprobeAttacher, usdtAttacher,
    perfEventAttacher, intervalAttacher,
  ].map((a) => [a.kind, a]));

/** What a program waits for, if `attach()` does not attach it (xdp: an interface). */
export function waitsFor(p: ProgramInfo): string | undefined {
  const attacher = ATTACHERS.get(p.kind);
  return attacher && "waitsFor" in attacher ? attacher.waitsFor : undefined;
}

/** Before the object loads: each kind's choice of what the kernel checks at load. */
export function prepareProgram(p: LoadedProgram): void {
  const attacher = ATTACHERS.get(p.info.kind);
  if (attacher && "prepare" in attacher) attacher.prepare?.(p);
}

/** Why a program of this kind can be refused at load with EPERM though tsbpf has the privileges, if it can. */
export function loadRefusal(p: ProgramInfo): string | undefined {
  const attacher = ATTACHERS.get(p.kind);
  return attacher && "loadRefused" in attacher ? attacher.loadRefused : undefined;
}

/** Whether `--pid` limits a program of this kind to one process (user-space probes do; a tracepoint fires in every process). */
export function limitsToPid(p: ProgramInfo): boolean {
  const attacher = ATTACHERS.get(p.kind);
  return attacher !== undefined && "limitsToPid" in attacher && attacher.limitsToPid === true;
}

/** What to do about a probe whose target this kernel does not have (bpftrace's `missing_probes`). */
export type MissingProbes = "error" | "warn" | "ignore";
export const MISSING_PROBES: readonly MissingProbes[] = ["error", "warn", "ignore"];

/** A program left unattached: its target is missing, and it is optional or `missing` says to go on. */
export interface SkippedProgram {
  program: string;
  /** Why, as an error would say it. */
  error: TsbpfError;
  /** Declared `{ optional: true }`: expected on some kernels, and not warned about. */
  optional: boolean;
}

/** The program's link; or, for a missing target that is optional or not an error here, why it is left out. */
export function attachProgram(p: LoadedProgram, file: string, missing: MissingProbes = "error", opts: AttachOptions = {}): Link | SkippedProgram {
  const attacher = ATTACHERS.get(p.info.kind);
  if (!attacher || !("attach" in attacher))
    throw new TsbpfError(`programs of kind '${p.info.kind}' cannot be attached by this version of tsbpf`, { subject: `program '${p.info.name}'`, hint: "rebuild the probe with this version's compiler" });
  try {
    return attacher.attach(p, file, opts);
  } catch (e) {
    const optional = p.info.optional === true;
    if (e instanceof MissingProbe && (optional || missing !== "error")) return { program: p.info.name, error: e, optional };
    throw e;
  }
}
