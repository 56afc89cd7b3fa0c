// The kernel's raw tracepoints, by name, from its BTF (the `btf_trace_<event>` typedefs): for
// the error that names one it does not have, with the nearest it has, at attach (raw_tp) or at
// load (tp_btf, runtime/loader.ts). Read only when something failed.

import { readFileSync } from "node:fs";
import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import { declarationSpan } from "../source-span.js";
import { nearestNames } from "./nearest-names.js";

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

/**
 * The raw tracepoints this kernel has, from the string section of its BTF: names that start
 * with `btf_trace_` are those typedefs and nothing else. Undefined without kernel BTF.
 */
export function rawTracepointNames(): Set<string> | undefined {
  let btf: Buffer;
  try {
    btf = readFileSync(VMLINUX_BTF);
  } catch {
    return undefined;
  }
  if (btf.length < 24 || btf.readUInt16LE(0) !== 0xeb9f) return undefined; // struct btf_header, this machine's byte order
  const headerLength = btf.readUInt32LE(4);
  const stringsStart = headerLength + btf.readUInt32LE(16);
  const strings = btf.subarray(stringsStart, stringsStart + btf.readUInt32LE(20)).toString("latin1");
  const names = new Set<string>();
  for (let at = strings.indexOf(PREFIX); at >= 0; at = strings.indexOf(PREFIX, at + 1)) {
    if (at > 0 && strings.charCodeAt(at - 1) !== 0) continue; // inside a longer string
    const end = strings.indexOf("\0", at);
    names.add(strings.slice(at + PREFIX.length, end < 0 ? undefined : end));
  }
  return names;
}
