// tp_btf/<event>: a BTF-typed raw tracepoint, attached with bpf_program__attach_trace (the
// kernel found the tracepoint's BTF id when the program was loaded, so the name is known good).

import { TsbpfError } from "../../contract/errors.js";
import { errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { ownLink, type Link } from "./link.js";
import type { ProgramAttacher } from "./program-attacher.js";

export const tpBtfAttacher: ProgramAttacher = { kind: "tpBtf", attach: attachTpBtf };

function attachTpBtf(p: LoadedProgram, file: string): Link {
  const link = libbpf().attachTrace(p.handle);
  if (link) return ownLink(link, `tp_btf:${p.info.target}`);
  const errno = lastErrno();
  throw new TsbpfError(`cannot attach to BTF tracepoint '${p.info.target}' (${errnoText(errno)})`, {
    at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
    hint: "BTF tracepoints need a kernel with BPF trampolines for tracing (Linux 5.5, CONFIG_DEBUG_INFO_BTF); rawTracepoint() reads the same arguments without them",
    detail: takeLibbpfMessages().join(""),
  });
}
