// uprobe/<binary:function> and uretprobe/…: the binary found as the dynamic linker or a shell
// would (user-binaries.ts), the function checked against its ELF symbol tables (elf-symbols.ts:
// the errors name the nearest functions it has), then attached with libbpf's
// bpf_program__attach_uprobe_opts by name, which finds the function's file offset in shared
// libraries and PIE executables alike. `--pid` limits it to one process.

import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import { nearestNames } from "../../contract/nearest-names.js";
import { parseUprobeTarget, type UprobeTarget } from "../../contract/uprobe-target.js";
import { errnoText, lastErrno, libbpf, takeLibbpfMessages, UPROBE_OPTS_SIZE } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { elfFunctions, NotElf, type ElfFunctions } from "./elf-symbols.js";
import { MissingProbe } from "./kernel-functions.js";
import { ownLink, type Link } from "./link.js";
import type { AttachOptions, ProgramAttacher } from "./program-attacher.js";
import { findBinary } from "./user-binaries.js";
import { existsSync } from "node:fs";

export const uprobeAttacher: ProgramAttacher = { kind: "uprobe", attach: (p, file, opts) => attachUprobe(p, file, opts, false), limitsToPid: true };
export const uretprobeAttacher: ProgramAttacher = { kind: "uretprobe", attach: (p, file, opts) => attachUprobe(p, file, opts, true), limitsToPid: true };

export const targetSpan = (info: ProgramInfo, file: string) => declarationSpan(file, info.targetAt.line, info.targetAt.column, info.targetAt.length);

function attachUprobe(p: LoadedProgram, file: string, opts: AttachOptions, retprobe: boolean): Link {
  const { info } = p;
  const at = targetSpan(info, file);
  const target = parseUprobeTarget(info.target);
  if ("problem" in target) throw new TsbpfError(`${info.kind}: ${target.problem}`, { at, hint: "rebuild the probe with this version's compiler" });
  const path = probedBinary(info, target.binary, target.symbol, file);
  checkFunction(info, target, path, functionsOf(info, path, file), file);
  const link = libbpf().attachUprobe(p.handle, opts.pid ?? -1, path, target.offset, { sz: UPROBE_OPTS_SIZE, ref_ctr_offset: 0, bpf_cookie: 0n, retprobe, func_name: target.symbol });
  const where = `${path}:${target.symbol}${target.offset ? `+0x${target.offset.toString(16)}` : ""}`;
  if (link) return ownLink(link, `${info.kind}:${where}`);
  const errno = lastErrno();
  throw new TsbpfError(`cannot attach ${info.kind} to ${where}${opts.pid !== undefined ? ` in process ${opts.pid}` : ""} (${errnoText(errno)})`, {
    at,
    hint: target.offset ? "the offset must fall on an instruction of the function" : undefined,
    detail: takeLibbpfMessages().join(""),
  });
}

/** The file of the binary a user-space probe names (`rest`: the target after the binary, for the hint). */
export function probedBinary(info: ProgramInfo, binary: string, rest: string, file: string): string {
  const found = findBinary(binary);
  if ("path" in found) return found.path;
  const what = binary.startsWith("/") ? "file" : /^lib|\.so/.test(binary) ? "library" : "command";
  throw new MissingProbe(`${info.kind}: ${what} '${binary}' not found (searched ${found.searched})`, {
    at: targetSpan(info, file),
    hint: `install it, or name the binary by absolute path ("/path/to/${binary}:${rest}")`,
  });
}

function functionsOf(info: ProgramInfo, path: string, file: string): ElfFunctions {
  return readBinary(info, path, file, elfFunctions);
}

/** `read(path)`, a file that is not ELF (or cannot be read) an error at the target. */
export function readBinary<T>(info: ProgramInfo, path: string, file: string, read: (path: string) => T): T {
  try {
    return read(path);
  } catch (e) {
    const why = e instanceof NotElf ? e.message : `it cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`;
    throw new TsbpfError(`${info.kind}: '${path}' is not an ELF binary: ${why}`, {
      at: targetSpan(info, file),
      hint: `a ${info.kind} names an executable or shared library (a script's interpreter, not the script)`,
    });
  }
}

function checkFunction(info: ProgramInfo, target: UprobeTarget, path: string, elf: ElfFunctions, file: string): void {
  // A versioned name (getaddrinfo@GLIBC_2.2.5) is its base name in the tables.
  if (elf.names.has(target.symbol.split("@")[0])) return;
  const near = nearestNames(target.symbol, elf.names);
  const mean = near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}? ` : "";
  const message = elf.symtab
    ? `${info.kind}: function '${target.symbol}' is not in ${path}`
    : `${info.kind}: function '${target.symbol}' is not among the dynamic symbols of ${path}, which is stripped (no .symtab)`;
  throw new MissingProbe(message, {
    at: targetSpan(info, file),
    hint: elf.symtab
      ? `${mean}its functions are those of its symbol tables (nm ${path})`
      : `${mean}a stripped binary names only the functions it exports (nm -D ${path}): probe one of those, or an unstripped build of it`,
  });
}

/** A `--pid` (attach({ pid })) that names a running process, checked before anything attaches. */
export function checkPid(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0)
    throw new TsbpfError(`--pid takes a process id, not '${pid}'`, { subject: "--pid", hint: "a positive whole number, e.g. --pid $(pgrep -n bash)" });
  if (!existsSync(`/proc/${pid}`))
    throw new TsbpfError(`no process ${pid} is running`, { subject: "--pid", hint: "give the id of a running process (ps, pgrep); a uprobe limited to it fires only in it" });
}
