// fentry/<fn> and fexit/<fn>: the kernel checks the program against the function's BTF when it
// loads, so the function is chosen before the load (prepare): the first alternative the
// kernel's BTF has (bpf_program__set_attach_target), or, with none, the program is not loaded
// at all (bpf_program__set_autoload), and attaching it is the MissingProbe. Attached with
// bpf_program__attach_trace, through a BPF trampoline.

import { TsbpfError } from "../../contract/errors.js";
import { errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { btfFunctions, missingProbe, targetsOf, type FunctionNames } from "./kernel-functions.js";
import { ownLink, type Link } from "./link.js";
import type { ProgramAttacher } from "./program-attacher.js";

let known: FunctionNames | undefined;
const functions = () => (known ??= btfFunctions());

/** The function the program attaches to: the first of its targets in the kernel's BTF. */
const chosen = (p: LoadedProgram) => targetsOf(p.info).find((n) => functions().names.has(n));

function prepare(p: LoadedProgram): void {
  const name = chosen(p);
  if (name === undefined) libbpf().setAutoload(p.handle, false);
  else if (name !== p.info.target) libbpf().setAttachTarget(p.handle, 0, name);
}

function attach(p: LoadedProgram, file: string): Link {
  if (libbpf().programFd(p.handle) < 0) throw missingProbe(p.info, file, functions(), "kernel function");
  const link = libbpf().attachTrace(p.handle);
  if (link) return ownLink(link, `${p.info.kind}:${chosen(p)}`);
  const errno = lastErrno();
  throw new TsbpfError(`cannot attach ${p.info.kind} to '${chosen(p)}' (${errnoText(errno)})`, {
    at: declarationSpan(file, p.info.line, p.info.column, p.info.name.length),
    hint: TRAMPOLINES,
    detail: takeLibbpfMessages().join(""),
  });
}

const TRAMPOLINES = "fentry and fexit need BPF trampolines (Linux 5.5, x86-64; arm64 since 6.0): kprobe() and kretprobe() probe the same function without them";
const loadRefused = `the kernel has no BPF trampoline for it: ${TRAMPOLINES}`;

export const fentryAttacher: ProgramAttacher = { kind: "fentry", prepare, attach, loadRefused };
export const fexitAttacher: ProgramAttacher = { kind: "fexit", prepare, attach, loadRefused };
