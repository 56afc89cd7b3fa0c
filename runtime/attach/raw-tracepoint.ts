// raw_tp/<event>: attached with BPF_RAW_TRACEPOINT_OPEN. The kernel's raw tracepoints are the
// `btf_trace_<event>` typedefs of its BTF (every tracepoint, with or without a tracefs event),
// so when the kernel has no tracepoint of the name, the nearest ones it has are named (the BTF
// is read only then: an attach that works does not pay for it).

import { readFileSync } from "node:fs";
import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import { Errno, errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { ownLink, type Link } from "./link.js";
import { nearestNames } from "./nearest-names.js";
import type { ProgramAttacher } from "./program-attacher.js";

const VMLINUX_BTF = "/sys/kernel/btf/vmlinux";
const PREFIX = "btf_trace_";

export const rawTracepointAttacher: ProgramAttacher = { kind: "rawTracepoint", attach: attachRawTracepoint };

function attachRawTracepoint(p: LoadedProgram, file: string): Link {
  const name = p.info.target;
  const link = libbpf().attachRawTracepoint(p.handle, name);
  if (link) return ownLink(link, `raw_tp:${name}`);
  const errno = lastErrno();
  // The kernel's answer for a name it does not have: name the nearest it has (read only now, on failure).
  const known = errno === Errno.ENOENT ? rawTracepointNames() : undefined;
  if (known && !known.has(name)) {
    takeLibbpfMessages();
    const near = nearestNames(name, known);
    throw new TsbpfError(`raw tracepoint '${name}' does not exist on this kernel (${release()})`, {
      at: declarationSpan(file, p.info.targetAt.line, p.info.targetAt.column, p.info.targetAt.length),
      hint: near.length
        ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}?`
        : `this kernel's raw tracepoints are the ${PREFIX}* types in \`bpftool btf dump file ${VMLINUX_BTF}\``,
    });
  }
  throw new TsbpfError(`cannot attach to raw tracepoint '${name}' (${errnoText(errno)})`, {
    at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
    // The kernel checks at attach time that the program reads no argument past the tracepoint's last.
    hint: errno === Errno.EINVAL ? `the program may read more arguments (ctx.arg(i)) than '${name}' has: see its TP_PROTO, or ${PREFIX}${name} in the kernel's BTF` : undefined,
    detail: takeLibbpfMessages().join(""),
  });
}

/**
 * The raw tracepoints this kernel has, from the string section of its BTF: names that start
 * with `btf_trace_` are those typedefs and nothing else. Undefined without kernel BTF.
 */
function rawTracepointNames(): Set<string> | undefined {
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
