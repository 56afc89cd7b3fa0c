// Opens a compiled object with libbpf and loads it into the kernel (the verifier runs here).
// A rejected program becomes an error at the TypeScript line the verifier log points to.

import { basename } from "node:path";
import { TsbpfError } from "../compiler/diagnostics.js";
import type { ProgramInfo } from "../compiler/index.js";
import { Errno, errnoText, lastErrno, libbpf, takeLibbpfMessages } from "./libbpf.js";
import { privilegeError, requireBpfPrivileges } from "./privileges.js";
import { verifierError } from "./verifier-log.js";

export interface LoadedProgram {
  readonly info: ProgramInfo;
  readonly handle: bigint; // struct bpf_program *
}

export interface CompiledObject {
  file: string; // the probe's source, for error locations
  object: Buffer;
  programs: ProgramInfo[];
}

const LOG_SIZE = 16 * 1024 * 1024;

export class LoadedObject {
  private closed = false;

  private constructor(
    private readonly handle: bigint,
    readonly programs: LoadedProgram[],
  ) {}

  static load(c: CompiledObject, opts: { verbose?: boolean } = {}): LoadedObject {
    requireBpfPrivileges();
    const lib = libbpf();
    takeLibbpfMessages();
    const name = basename(c.file).replace(/\.[cm]?ts$/, "").replace(/[^A-Za-z0-9_]/g, "_").slice(0, 15);
    const obj = lib.openMem(c.object, c.object.length, { sz: 16, object_name: name });
    if (!obj) {
      throw new TsbpfError(`libbpf cannot open the compiled object (${errnoText(lastErrno())})`, {
        subject: c.file,
        detail: takeLibbpfMessages().join(""),
      });
    }
    const programs: LoadedProgram[] = [];
    // The verifier writes its log here only when a load fails (libbpf then retries with logging).
    const logs = new Map<string, Buffer>();
    for (let p = lib.nextProgram(obj, null); p; p = lib.nextProgram(obj, p)) {
      const progName = lib.programName(p);
      const info = c.programs.find((i) => i.name === progName);
      if (!info) continue;
      const log = Buffer.allocUnsafe(LOG_SIZE);
      log[0] = 0;
      lib.setLogBuf(p, log, LOG_SIZE);
      logs.set(progName, log);
      programs.push({ info, handle: p });
    }
    const err = lib.load(obj);
    if (err < 0) {
      const messages = takeLibbpfMessages().join("");
      lib.close(obj);
      if (-err === Errno.EPERM || -err === Errno.EACCES && !hasLog(logs)) throw privilegeError("load BPF programs");
      for (const [progName, log] of logs) {
        const text = cString(log);
        if (!text) continue;
        const e = verifierError(progName, c.file, text);
        if (opts.verbose) e.options.detail = `verifier log:\n${text}`;
        throw e;
      }
      throw new TsbpfError(`the kernel refused the object (${errnoText(-err)})`, { subject: c.file, detail: messages });
    }
    return new LoadedObject(obj, programs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libbpf().close(this.handle);
  }
}

function hasLog(logs: Map<string, Buffer>): boolean {
  return [...logs.values()].some((b) => b[0] !== 0);
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString("utf8");
}
