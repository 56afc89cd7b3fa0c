// Opens a compiled object with libbpf and loads it into the kernel (the verifier runs here).
// A rejected program becomes an error at the TypeScript line the verifier log points to.

import { basename } from "node:path";
import { TsbpfError } from "../contract/errors.js";
import type { MapInfo, ParamLayout, ProgramInfo } from "../contract/manifest.js";
import { sizeOf } from "../contract/c-layout.js";
import { declarationSpan } from "./source-span.js";
import { resolveParams, writeParams, type ParamValues } from "./param-values.js";
import { Errno, errnoText, lastErrno, libbpf, takeLibbpfMessages, TEST_RUN_OPTS_SIZE, type TestRunOpts } from "../native/libbpf.js";
import { privilegeError, requireBpfPrivileges } from "./privileges.js";

export interface LoadedProgram {
  readonly info: ProgramInfo;
  readonly handle: bigint; // struct bpf_program *
  /** Its object: its maps, and what the kinds' attachers keep per object (usdt's spec ids). */
  readonly object: { readonly handle: bigint; readonly attachState: Map<string, unknown> };
}

export interface CompiledObject {
  file: string; // the probe's source, for error locations
  object: Buffer;
  programs: ProgramInfo[];
  params?: ParamLayout[];
  maps?: MapInfo[];
}

/**
 * The verifier's log buffer per program. Its pages are touched only by a log, which the kernel
 * writes only when a load fails; a log that fills it is loaded again into a larger one, up to
 * MAX_LOG_SIZE (the kernel keeps a log's end when it does not fit, so the failure is always there).
 */
const LOG_SIZE = 16 * 1024 * 1024;
const MAX_LOG_SIZE = 256 * 1024 * 1024;

/** What program kinds do as an object loads (given by the caller: the kinds' attachers import this file). */
export interface LoadHooks {
  prepare(p: LoadedProgram): void;
  loadRefusal(p: ProgramInfo): string | undefined;
}

/** libbpf could not read the object at all: a corrupt file, not a refusal by the kernel. */
export class ObjectOpenError extends TsbpfError {}

export class LoadedObject {
  private closed = false;

  private constructor(
    private readonly handle: bigint,
    readonly programs: LoadedProgram[],
  ) {}

  /**
   * Whether the kernel took the object's BTF. libbpf loads the programs without it if not, but
   * then the verifier's messages lose their TypeScript lines: tsbpf's objects must always pass.
   */
  get kernelBtf(): boolean {
    return !this.closed && libbpf().btfFd(this.handle) >= 0;
  }

  /**
   * `kinds`: each kind's part in loading (runtime/attach/attach-program.ts's, which Probe passes):
   * what it chooses before the load, and why the kernel may refuse a kind with EPERM.
   */
  static load(c: CompiledObject, opts: { verbose?: boolean; params?: ParamValues; kinds?: LoadHooks; logSize?: number } = {}): LoadedObject {
    const logSize = opts.logSize ?? LOG_SIZE;
    const params = resolveParams(c.params ?? [], opts.params ?? {}, c.file);
    requireBpfPrivileges();
    const lib = libbpf();
    const obj = openObject(c);
    try {
      writeParams(obj, params);
    } catch (e) {
      lib.close(obj);
      throw e;
    }
    const programs: LoadedProgram[] = [];
    const object = { handle: obj, attachState: new Map<string, unknown>() };
    // The verifier writes its log here only when a load fails (libbpf then retries with logging).
    const logs = new Map<string, Buffer>();
    for (let p = lib.nextProgram(obj, null); p; p = lib.nextProgram(obj, p)) {
      const progName = lib.programName(p);
      const info = c.programs.find((i) => i.name === progName);
      if (!info) continue;
      const log = Buffer.allocUnsafe(logSize);
      log[0] = 0;
      lib.setLogBuf(p, log, logSize);
      logs.set(progName, log);
      programs.push({ info, handle: p, object });
    }
    for (const p of programs) opts.kinds?.prepare(p);
    const err = lib.load(obj);
    if (err < 0) {
      const messages = takeLibbpfMessages().join("");
      lib.close(obj);
      // A kind the kernel refuses with EPERM for want of a feature (fentry without trampolines), not of a privilege.
      const refused = -err === Errno.EPERM ? /prog '([^']+)': BPF program load failed: Operation not permitted/.exec(messages) : null;
      const refusedProgram = refused && c.programs.find((p) => p.name === refused[1]);
      // (requireBpfPrivileges passed: the privileges are there.)
      const why = refusedProgram && opts.kinds?.loadRefusal(refusedProgram);
      if (refusedProgram && why)
        throw new TsbpfError(`the kernel refused to load ${refusedProgram.kind} program '${refusedProgram.name}' (EPERM)`, { at: declarationSpan(c.file, refusedProgram.line, refusedProgram.column, refusedProgram.name.length), hint: why });
      // EACCES with a verifier log is the verifier's refusal, not a missing privilege.
      if (-err === Errno.EPERM || (-err === Errno.EACCES && !hasLog(logs))) throw privilegeError("load BPF programs");
      for (const [progName, log] of logs) {
        const text = cString(log);
        if (!text) continue;
        const full = text.length >= logSize - 1;
        if (full && logSize < MAX_LOG_SIZE) return LoadedObject.load(c, { ...opts, logSize: logSize * 4 });
        // Loaded on a rejection only: a start that loads does not pay for reading verifier logs.
        const { verifierError } = require("./verifier/verifier-error.js") as typeof import("./verifier/verifier-error.js");
        throw verifierError(progName, c.file, text, { verbose: opts.verbose, truncatedAt: full ? logSize : undefined, object: c.object });
      }
      // A BTF tracepoint (tp_btf) the kernel does not have: libbpf looks its id up at load.
      const missing = /prog '([^']+)': failed to find kernel BTF type ID of '[^']+'/.exec(messages);
      const program = missing && c.programs.find((p) => p.name === missing[1]);
      if (program) throw (require("./attach/raw-tracepoint-names.js") as typeof import("./attach/raw-tracepoint-names.js")).unknownRawTracepoint(program, c.file);
      const map = /map '([^']+)': failed to create: [^\n]*/.exec(messages);
      const info = map && c.maps?.find((m) => m.name === map[1]);
      if (map && info) throw mapCreationError(c.file, info, -err, map[0]);
      throw new TsbpfError(`the kernel refused the object (${errnoText(-err)})`, { subject: c.file, detail: messages });
    }
    return new LoadedObject(obj, programs);
  }

  /**
   * The object opened but not loaded: no program of it reaches the kernel. Its maps are for
   * pointing at maps the kernel has already (pins.ts), as libbpf's `bpf_map__reuse_fd` does.
   */
  static openUnloaded(c: CompiledObject): LoadedObject {
    requireBpfPrivileges();
    return new LoadedObject(openObject(c), []);
  }

  /** Runs a program once in the kernel on `data` (BPF_PROG_TEST_RUN): XDP, socket filters. */
  testRun(name: string, data: Uint8Array, repeat = 1): { retval: number; durationNs: number } {
    const p = this.programs.find((x) => x.info.name === name);
    if (!p) throw new TsbpfError(`no program named '${name}'`, { subject: "testRun", hint: `the programs are: ${this.programs.map((x) => x.info.name).join(", ")}` });
    const lib = libbpf();
    const input = Buffer.from(data);
    const opts: TestRunOpts = {
      sz: TEST_RUN_OPTS_SIZE, data_in: input, data_out: null, data_size_in: input.length, data_size_out: 0,
      ctx_in: null, ctx_out: null, ctx_size_in: 0, ctx_size_out: 0, retval: 0, repeat, duration: 0, flags: 0, cpu: 0,
    };
    const err = lib.testRun(lib.programFd(p.handle), opts);
    if (err < 0) throw new TsbpfError(`the kernel cannot test-run program '${name}' (${errnoText(-err)})`, { subject: `program '${name}'`, hint: "test runs work for xdp and socket filter programs" });
    return { retval: opts.retval, durationNs: opts.duration };
  }

  /** libbpf's handle of the map named `name`; an error once the object is closed (the handle is freed then). */
  mapHandle(name: string): bigint {
    if (this.closed) throw new TsbpfError(`map '${name}' cannot be read: the probe is closed`, { subject: `map '${name}'`, hint: "read maps before close() (or before the `using` block ends)" });
    let handle = this.mapHandles.get(name);
    if (handle === undefined) {
      // Found once: every get/set/entry of a map would otherwise search the object's maps by name.
      handle = libbpf().findMapByName(this.handle, name) ?? undefined;
      if (handle === undefined) throw new Error(`internal error: the object has no map '${name}'`);
      this.mapHandles.set(name, handle);
    }
    return handle;
  }

  private readonly mapHandles = new Map<string, bigint>();

  close(): void {
    if (this.closed) return;
    this.closed = true;
    libbpf().close(this.handle);
  }
}

/** libbpf's handle of the object, opened (not loaded). */
function openObject(c: CompiledObject): bigint {
  takeLibbpfMessages();
  const name = basename(c.file).replace(/\.[cm]?ts$/, "").replace(/[^A-Za-z0-9_]/g, "_").slice(0, 15);
  const obj = libbpf().openMem(c.object, c.object.length, { sz: 16, object_name: name });
  if (!obj) {
    throw new ObjectOpenError(`libbpf cannot open the compiled object (${errnoText(lastErrno())})`, {
      subject: c.file,
      detail: takeLibbpfMessages().join(""),
    });
  }
  return obj;
}

/** The kernel could not create a declared map: said at its declaration, with what it asked for. */
function mapCreationError(file: string, map: MapInfo, errno: number, libbpfLine: string): TsbpfError {
  const bytes = BigInt(map.maxEntries) * BigInt(sizeOf(map.value));
  const tooBig = errno === Errno.ENOMEM || errno === Errno.E2BIG;
  return new TsbpfError(`the kernel cannot create map '${map.name}' (${errnoText(errno)})`, {
    at: declarationSpan(file, map.line, map.column, map.name.length),
    hint: tooBig
      ? `it asks for ${map.maxEntries} entries of ${sizeOf(map.value)} bytes (${bytes} bytes in all), allocated when the probe loads: declare fewer entries or a smaller value`
      : undefined,
    detail: `libbpf: ${libbpfLine}`,
  });
}

function hasLog(logs: Map<string, Buffer>): boolean {
  return [...logs.values()].some((b) => b[0] !== 0);
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString("utf8");
}
