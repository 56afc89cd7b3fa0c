// raw_tp/<event>: attached with BPF_RAW_TRACEPOINT_OPEN. The kernel's raw tracepoints are the
// `btf_trace_<event>` typedefs of its BTF (every tracepoint, with or without a tracefs event),
// so when the kernel has no tracepoint of the name, the nearest ones it has are named (the BTF
// is read only then: an attach that works does not pay for it).

import { TsbpfError } from "../../contract/errors.js";
import { Errno, errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { ownLink, type Link } from "./link.js";
import { PREFIX, rawTracepointNames, unknownRawTracepoint } from "./raw-tracepoint-names.js";
import type { ProgramAttacher } from "./program-attacher.js";


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
    throw unknownRawTracepoint(p.info, file, known);
  }
  throw new TsbpfError(`cannot attach to raw tracepoint '${name}' (${errnoText(errno)})`, {
    at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
    // The kernel checks at attach time that the program reads no argument past the tracepoint's last.
    hint: errno === Errno.EINVAL ? `the program may read more arguments (ctx.arg(i)) than '${name}' has: see its TP_PROTO, or ${PREFIX}${name} in the kernel's BTF` : undefined,
    detail: takeLibbpfMessages().join(""),
  });
}
