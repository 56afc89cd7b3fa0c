// Attaches a loaded program by its kind: each kind's attacher is a file in this folder, listed
// here (the compiler's half of each kind is compiler/kinds/).

import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import type { LoadedProgram } from "../loader.js";
import type { Link } from "./link.js";
import type { AttachOptions, MissingProbes, ProgramAttacher } from "./program-attacher.js";

export type { Link } from "./link.js";
export type { AttachOptions, MissingProbes } from "./program-attacher.js";

// Each kind's file is loaded when a program of the kind is first met: a run loads only its own
// kinds' attachers (a cached start is mostly module loading, D157). Keys are the attachers'
// `kind`s (test/unit/lazy-registries.test.ts holds them to it).
const kprobes = () => require("./kprobe.js") as typeof import("./kprobe.js");
const ksyscalls = () => require("./ksyscall.js") as typeof import("./ksyscall.js");
const fentries = () => require("./fentry.js") as typeof import("./fentry.js");
const uprobes = () => require("./uprobe.js") as typeof import("./uprobe.js");
const perfEvents = () => require("./perf-event.js") as typeof import("./perf-event.js");
const ATTACHERS: ReadonlyMap<string, () => ProgramAttacher> = new Map<string, () => ProgramAttacher>([
  ["tracepoint", () => (require("./tracepoint.js") as typeof import("./tracepoint.js")).tracepointAttacher],
  ["rawTracepoint", () => (require("./raw-tracepoint.js") as typeof import("./raw-tracepoint.js")).rawTracepointAttacher],
  ["tpBtf", () => (require("./tp-btf.js") as typeof import("./tp-btf.js")).tpBtfAttacher],
  ["xdp", () => (require("./xdp.js") as typeof import("./xdp.js")).xdpAttacher],
  ["kprobe", () => kprobes().kprobeAttacher],
  ["kretprobe", () => kprobes().kretprobeAttacher],
  ["ksyscall", () => ksyscalls().ksyscallAttacher],
  ["kretsyscall", () => ksyscalls().kretsyscallAttacher],
  ["fentry", () => fentries().fentryAttacher],
  ["fexit", () => fentries().fexitAttacher],
  ["uprobe", () => uprobes().uprobeAttacher],
  ["uretprobe", () => uprobes().uretprobeAttacher],
  ["usdt", () => (require("./usdt.js") as typeof import("./usdt.js")).usdtAttacher],
  ["perfEvent", () => perfEvents().perfEventAttacher],
  ["interval", () => perfEvents().intervalAttacher],
]);

/** The attacher of programs of `kind`, if this runtime has one. */
export const attacherOf = (kind: string): ProgramAttacher | undefined => ATTACHERS.get(kind)?.();
export const attachableKinds = (): string[] => [...ATTACHERS.keys()];

/** What a program waits for, if `attach()` does not attach it (xdp: an interface). */
export function waitsFor(p: ProgramInfo): string | undefined {
  const attacher = attacherOf(p.kind);
  return attacher && "waitsFor" in attacher ? attacher.waitsFor : undefined;
}

/** Before the object loads: each kind's choice of what the kernel checks at load. */
export function prepareProgram(p: LoadedProgram): void {
  const attacher = attacherOf(p.info.kind);
  if (attacher && "prepare" in attacher) attacher.prepare?.(p);
}

/** Why a program of this kind can be refused at load with EPERM though tsbpf has the privileges, if it can. */
export function loadRefusal(p: ProgramInfo): string | undefined {
  const attacher = attacherOf(p.kind);
  return attacher && "loadRefused" in attacher ? attacher.loadRefused : undefined;
}

/** Whether `--pid` limits a program of this kind to one process (user-space probes do; a tracepoint fires in every process). */
export function limitsToPid(p: ProgramInfo): boolean {
  const attacher = attacherOf(p.kind);
  return attacher !== undefined && "limitsToPid" in attacher && attacher.limitsToPid === true;
}

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
  const attacher = attacherOf(p.info.kind);
  if (!attacher || !("attach" in attacher))
    throw new TsbpfError(`programs of kind '${p.info.kind}' cannot be attached by this version of tsbpf`, { subject: `program '${p.info.name}'`, hint: "rebuild the probe with this version's compiler" });
  try {
    return attacher.attach(p, file, opts);
  } catch (e) {
    const optional = p.info.optional === true;
    const { MissingProbe } = require("./kernel-functions.js") as typeof import("./kernel-functions.js");
    if (e instanceof MissingProbe && (optional || missing !== "error")) return { program: p.info.name, error: e, optional };
    throw e;
  }
}
