// The kernel's raw tracepoints, by name, from its BTF (the `btf_trace_<event>` typedefs): for
// the error that names one it does not have, with the nearest it has, at attach (raw_tp) or at
// load (tp_btf, runtime/loader.ts). Read only when something failed.

import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import { declarationSpan } from "../source-span.js";
import { nearestNames } from "../../contract/nearest-names.js";

// For the hints; compiler/btf/ (loaded only when a name is missing) reads the BTF itself.
export const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";
export const PREFIX = "btf_trace_";

/**
 * A raw (or BTF) tracepoint this kernel does not have, at its name in the source, with the nearest
 * it has. `known`: its raw tracepoints, read from its BTF if not given.
 */
export function unknownRawTracepoint(info: ProgramInfo, file: string, known = rawTracepointNames()): TsbpfError {
  const near = known ? nearestNames(info.target, known) : [];
  return new TsbpfError(`${info.kind === "tpBtf" ? "BTF" : "raw"} tracepoint '${info.target}' does not exist on this kernel (${release()})`, {
    at: declarationSpan(file, info.targetAt.line, info.targetAt.column, info.targetAt.length),
    hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : `this kernel's raw tracepoints are the ${PREFIX}* types in \`bpftool btf dump file ${VMLINUX_BTF}\``,
  });
}

/** The raw tracepoints this kernel has, from its BTF (compiler/btf/); undefined without it. */
export function rawTracepointNames(): Set<string> | undefined {
  const btf = require("../../compiler/btf/kernel-types.js") as typeof import("../../compiler/btf/kernel-types.js");
  try {
    return btf.rawTracepointNames(btf.loadBtf());
  } catch (e) {
    if (e instanceof TsbpfError) return undefined; // no BTF, or none this tsbpf can read
    throw e;
  }
}
