// kprobe/<fn> and kretprobe/<fn>: attached with bpf_program__attach_kprobe_opts (the kprobe PMU,
// or tracefs's kprobe_events on older kernels). A list of alternatives attaches the first the
// kernel has; a pattern, one link per function it matches (decisions D148). A function the
// kernel does not have is a MissingProbe, which --missing-probes decides about.

import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import { errnoText, KPROBE_OPTS_SIZE, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { globMatcher, kernelHasKprobes, missingProbe, probeableFunctions, targetsOf, type FunctionNames } from "./kernel-functions.js";
import { linkGroup, ownLink, type Link } from "./link.js";
import type { ProgramAttacher } from "./program-attacher.js";

/** How one kind of kernel-function probe finds and attaches its targets. */
export interface KernelProbe {
  /** "kernel function", "system call": what its targets are, for messages. */
  what: string;
  /** The names its targets may be. */
  known(): FunctionNames;
  /** libbpf's link on `name`, or null (errno set). */
  attachOne(p: LoadedProgram, name: string): bigint | null;
}

const kprobe = (retprobe: boolean): KernelProbe => ({
  what: "kernel function",
  known: probeableFunctions,
  attachOne: (p, name) => libbpf().attachKprobe(p.handle, name, { sz: KPROBE_OPTS_SIZE, bpf_cookie: 0n, offset: 0, retprobe }),
});

export const kprobeAttacher: ProgramAttacher = { kind: "kprobe", attach: (p, file) => attachKernelProbe(p, file, kprobe(false)) };
export const kretprobeAttacher: ProgramAttacher = { kind: "kretprobe", attach: (p, file) => attachKernelProbe(p, file, kprobe(true)) };

/** Attaches to the target, the first alternative the kernel has, or every match of the pattern. */
export function attachKernelProbe(p: LoadedProgram, file: string, how: KernelProbe): Link {
  const { info } = p;
  if (/[*?]/.test(info.target)) {
    const known = how.known();
    const names = [...known.names].filter(globMatcher(info.target)).sort();
    if (!names.length) throw missingProbe(info, file, known, how.what);
    const links: Link[] = [];
    try {
      for (const name of names) links.push(linkOn(p, file, name, how));
    } catch (e) {
      for (const l of links) l.destroy();
      throw e;
    }
    return linkGroup(links, `${info.kind}:${info.target} (${names.length} functions)`);
  }
  const wanted = targetsOf(info);
  if (wanted.length === 1) return linkOn(p, file, info.target, how);
  const known = how.known();
  const name = wanted.find((n) => known.names.has(n));
  if (name === undefined) throw missingProbe(info, file, known, how.what);
  return linkOn(p, file, name, how);
}

function linkOn(p: LoadedProgram, file: string, name: string, how: KernelProbe): Link {
  const link = how.attachOne(p, name);
  if (link) return ownLink(link, `${p.info.kind}:${name}`);
  const errno = lastErrno();
  const detail = takeLibbpfMessages().join("");
  // Why it failed: a function the kernel does not have (looked up only now), or no kprobes at all.
  const known = how.known();
  if (!known.names.has(name)) throw missingProbe(only(p.info, name), file, known, how.what);
  throw new TsbpfError(`cannot attach ${p.info.kind} to '${name}' (${errnoText(errno)})`, {
    at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
    hint: kernelHasKprobes()
      ? undefined
      : "this kernel has no kprobes (CONFIG_KPROBES is off: no kprobe PMU, no kprobe_events in tracefs): fentry() and fexit() probe kernel functions without them, on kernels with BPF trampolines",
    detail,
  });
}

/** The program as if it named `name` alone (for the error about that one). */
const only = (info: ProgramInfo, name: string): ProgramInfo => ({ ...info, target: name, alternatives: undefined });
