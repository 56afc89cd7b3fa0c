// Every kind of BPF program tsbpf compiles, by the stdlib function that declares it. A new kind
// is a file beside this one, added to this list (and its runtime half to runtime/attach/).

import type { IntType } from "../frontend/probe-types.js";
import type { ContextMember, ProgramKind } from "./program-kind.js";
import { rawTracepointKind } from "./raw-tracepoint.js";
import { tpBtfKind } from "./tp-btf.js";
import { tracepointKind } from "./tracepoint.js";
import { xdpKind } from "./xdp.js";
import { kprobeKind, kretprobeKind } from "./kprobe.js";
import { ksyscallKind, kretsyscallKind } from "./ksyscall.js";
import { fentryKind, fexitKind } from "./fentry.js";
import { intervalKind, perfEventKind } from "./perf-event.js";
import { uprobeKind, uretprobeKind } from "./uprobe.js";
import { usdtKind } from "./usdt.js";

export type { ProgramKind } from "./program-kind.js";

const KINDS: readonly ProgramKind[] = [tracepointKind, rawTracepointKind, tpBtfKind, xdpKind, kprobeKind, kretprobeKind, ksyscallKind, kretsyscallKind, fentryKind, fexitKind, uprobeKind, uretprobeKind, usdtKind, perfEventKind, intervalKind];

const byName = new Map(KINDS.map((k) => [k.name, k]));

/**
 * bcc's convention: `function kprobe__fuse_open(inode, file) { … }` is a program of the kind its
 * name starts with, on the function its name ends with.
 */
export const SECTION_SUGAR: ReadonlyMap<string, ProgramKind> = new Map([["kprobe__", kprobeKind], ["kretprobe__", kretprobeKind]]);

/** The kind that the stdlib function `name` declares, if it declares one. */
export const programKindNamed = (name: string): ProgramKind | undefined => byName.get(name);

/** The named constants of every kind (`XDP_PASS` …), by stdlib name. */
export const KIND_CONSTANTS: ReadonlyMap<string, { value: bigint; type: IntType }> = new Map(
  KINDS.flatMap((k) => Object.entries(k.constants ?? {})),
);

/** `Context.member` → its check and lowering, by the qualified stdlib name (`RawTracepointContext.arg`). */
export const CONTEXT_MEMBERS: ReadonlyMap<string, ContextMember> = new Map(KINDS.flatMap((k) => Object.entries(k.context?.members ?? {}).map(([m, member]) => [`${k.context!.type}.${m}`, member] as const)));
