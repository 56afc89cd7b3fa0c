// What a process had mapped where, read from /proc/<pid>/maps while it lives, kept after it
// exits: user stacks are shown from it (user-symbols.ts), often after the process is gone (D167).
// Each reading is a generation; a process gets a new one when its mappings change (an exec, a
// library loaded), and a stack is shown through the generation it was recorded under.
//
// The mapped files are binaries, each kept once, by its GNU build-id (the same libc in every
// process is one binary; a file rebuilt at the same path is another). A binary is opened
// through /proc/<pid>/map_files/, i.e. the very file the process mapped, even if it has been
// replaced or deleted on disk since; the descriptor is kept for reading its symbols when a stack
// is shown. Past MAX_KEPT binaries, only the path is kept, and the file found there must still
// carry the build-id, or its frames are not named.

import { closeSync, lstatSync, openSync, readFileSync, statSync } from "node:fs";
import { statFields } from "../processes.js";
import { elfBuildId, elfFunctions, elfFunctionsOf, type ElfFunctions } from "../attach/elf-symbols.js";

export interface Mapping {
  start: number;
  end: number;
  /** The file offset it maps from. */
  offset: number;
  /** The file's path, or what the kernel calls an anonymous mapping (`[vdso]`). */
  path: string;
  binary?: Binary;
}

/** One reading of a process's executable mappings. */
export interface Generation {
  pid: number;
  /** The process's start time and its executable's device and inode: another process with the pid, or an exec, changes it. */
  identity: string;
  /** By address. */
  mappings: Mapping[];
}

/** Binaries kept open at most; past it, a binary is read again by path, its build-id checked. */
const MAX_KEPT = 256;
/** Processes remembered at most (their oldest forgotten first); a stack keeps its own generation. */
const MAX_PROCESSES = 8192;

export class Binary {
  private fns: ElfFunctions | null | undefined;

  constructor(
    readonly path: string,
    readonly buildId: string | undefined,
    private readonly fd: number | undefined,
    /** Why its functions cannot be named, once known. */
    public why?: string,
  ) {
    if (why) this.fns = null;
  }

  /** Its functions, read on first use; undefined (and `why`) when they cannot be read. */
  functions(): ElfFunctions | undefined {
    if (this.fns === undefined) {
      try {
        this.fns = this.fd !== undefined ? this.byDescriptor(this.fd) : this.byPath();
      } catch (e) {
        this.why = `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
        this.fns = null;
      }
    }
    return this.fns ?? undefined;
  }

  /** The file mapped, kept open: written over in place since (the same inode), it is another binary. */
  private byDescriptor(fd: number): ElfFunctions | null {
    if (this.buildId !== undefined && elfBuildId(fd) !== this.buildId) {
      this.why = "was rewritten since the process mapped it (its build-id differs)";
      return null;
    }
    return this.withDebugSymbols(elfFunctionsOf(fd));
  }

  private byPath(): ElfFunctions | null {
    if (this.buildId !== undefined && readBuildId(this.path) !== this.buildId) {
      this.why = "was replaced on disk since the process mapped it (its build-id differs)";
      return null;
    }
    return this.withDebugSymbols(elfFunctions(this.path));
  }

  /**
   * A stripped binary's local functions (`__libc_start_call_main`) are named by its debug file,
   * found by build-id as gdb, perf and bcc find it (Debian's -dbg and -dbgsym packages install
   * them): its .symtab, at the binary's own addresses.
   */
  private withDebugSymbols(fns: ElfFunctions): ElfFunctions {
    if (fns.symtab || this.buildId === undefined) return fns;
    const debug = debugFile(this.buildId);
    if (!debug) return fns;
    try {
      const symbols = elfFunctions(debug);
      return symbols.symtab ? { ...fns, names: symbols.names, symtab: true, byAddress: symbols.byAddress } : fns;
    } catch {
      return fns; // not an ELF file we read: the binary's own symbols
    }
  }
}

const processes = new Map<number, Generation[]>();
/** Binaries by build-id (or, without one, by the file's identity). */
const binaries = new Map<string, Binary>();
/** The binary of each file identity met (device, inode, size, modification time). */
const byIdentity = new Map<string, Binary>();
let kept = 0;

/** The generations read of process `pid`, oldest first. */
export const generationsOf = (pid: number): readonly Generation[] => processes.get(pid) ?? [];

/**
 * Process `pid`'s mappings now: the latest generation if nothing changed, else a new one;
 * undefined if the process is gone (or is a kernel thread, with no mappings).
 */
export function readMappings(pid: number): Generation | undefined {
  // The identity read before and after the maps, the same: the text is of that process and program.
  let identity: string | undefined;
  let text = "";
  for (let tries = 0; ; tries++) {
    identity = liveIdentity(pid);
    try {
      text = readFileSync(`/proc/${pid}/maps`, "latin1");
    } catch {
      return undefined;
    }
    if (identity === undefined) return undefined;
    if (liveIdentity(pid) === identity) break;
    if (tries === 2) return undefined; // exec'ing again and again
  }
  const mappings: Mapping[] = [];
  for (const line of text.split("\n")) {
    // "start-end perms offset dev inode path": executable ones only, where stacks' frames are.
    const m = /^([0-9a-f]+)-([0-9a-f]+) ..x. ([0-9a-f]+) \S+ (\d+)\s+(\/.*|\[\w+\])$/.exec(line);
    if (!m) continue;
    const mapping: Mapping = { start: parseInt(m[1], 16), end: parseInt(m[2], 16), offset: parseInt(m[3], 16), path: m[5] };
    if (mapping.path.startsWith("/")) mapping.binary = binaryOf(pid, m[1], m[2], mapping.path, BigInt(m[4]));
    mappings.push(mapping);
  }
  const generations = processes.get(pid) ?? [];
  const last = generations[generations.length - 1];
  if (last && last.identity === identity && sameMappings(last.mappings, mappings)) return last;
  const generation = { pid, identity, mappings };
  if (!generations.length) {
    if (processes.size >= MAX_PROCESSES) processes.delete(processes.keys().next().value!);
    processes.set(pid, generations);
  }
  generations.push(generation);
  return generation;
}

/** What tells process `pid` now from another with its pid, or from itself before an exec; undefined if it is gone (or a kernel thread). */
export function liveIdentity(pid: number): string | undefined {
  const startTime = statFields(pid)?.[19]; // field 22
  if (startTime === undefined) return undefined;
  try {
    return `${startTime} ${identityOf(statSync(`/proc/${pid}/exe`, { bigint: true }))}`;
  } catch {
    return undefined;
  }
}

/** The mapping holding `address`, or undefined. */
export function mappingAt(generation: Generation, address: number): Mapping | undefined {
  const maps = generation.mappings;
  let lo = 0;
  let hi = maps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (address < maps[mid].start) hi = mid - 1;
    else if (address >= maps[mid].end) lo = mid + 1;
    else return maps[mid];
  }
  return undefined;
}

/** Whether every address is inside one of the generation's executable mappings. */
export const holdsAll = (generation: Generation, addresses: readonly bigint[]): boolean => addresses.every((a) => mappingAt(generation, Number(a)) !== undefined);

function sameMappings(a: readonly Mapping[], b: readonly Mapping[]): boolean {
  return a.length === b.length && a.every((m, i) => m.start === b[i].start && m.end === b[i].end && m.offset === b[i].offset && m.binary === b[i].binary && m.path === b[i].path);
}

const identityOf = (s: { dev: bigint; ino: bigint; size?: bigint; mtimeNs?: bigint }): string => `${s.dev}:${s.ino}:${s.size ?? ""}:${s.mtimeNs ?? ""}`;

/** The binary process `pid` maps at start-end (`path` and `inode` in its maps), found by the file's identity, then by its build-id. */
function binaryOf(pid: number, start: string, end: string, path: string, inode: bigint): Binary {
  // The very file mapped (root may open it even if it was replaced or deleted); else the path.
  const mapped = `/proc/${pid}/map_files/${start}-${end}`;
  let source = mapped;
  let identity: string;
  try {
    identity = identityOf(statSync(mapped, { bigint: true }));
  } catch {
    source = path;
    const onDisk = (() => {
      try {
        return statSync(path, { bigint: true });
      } catch {
        return undefined;
      }
    })();
    // Deleted or replaced, and map_files closed to us: what is at the path is not what was mapped.
    if (onDisk?.ino !== inode) return unreadable(path, onDisk ? "was replaced on disk (another inode is at its path)" : "was deleted");
    identity = identityOf(onDisk);
  }
  const known = byIdentity.get(identity);
  if (known) return known;
  let fd: number | undefined;
  let buildId: string | undefined;
  try {
    fd = openSync(source, "r");
    buildId = elfBuildId(fd);
  } catch {
    // Not an ELF file we read (its frames will say so), or gone meanwhile.
  }
  const key = buildId ?? `file ${identity}`;
  let binary = binaries.get(key);
  if (binary) {
    if (fd !== undefined) closeSync(fd);
  } else {
    const keep = fd !== undefined && kept < MAX_KEPT;
    if (keep) kept++;
    else if (fd !== undefined) closeSync(fd);
    binary = new Binary(path, buildId, keep ? fd : undefined);
    binaries.set(key, binary);
  }
  byIdentity.set(identity, binary);
  return binary;
}

/** Where distributions install debug files by build-id. */
const DEBUG_DIR = "/usr/lib/debug/.build-id";

/**
 * The debug file of build-id `id`, if there is one that only root could have put there (the
 * file and the two directories above it root's and writable by no one else): names read from
 * a file another user planted would be theirs to choose.
 */
function debugFile(id: string): string | undefined {
  if (id.length < 3) return undefined;
  const dir = `${DEBUG_DIR}/${id.slice(0, 2)}`;
  const file = `${dir}/${id.slice(2)}.debug`;
  try {
    const st = lstatSync(file);
    return st.isFile() && [st, lstatSync(dir), lstatSync(DEBUG_DIR)].every((s) => s.uid === 0 && !(s.mode & 0o022)) ? file : undefined;
  } catch {
    return undefined;
  }
}

const unreadable = (path: string, why: string): Binary => new Binary(path, undefined, undefined, why);

function readBuildId(path: string): string | undefined {
  const fd = openSync(path, "r");
  try {
    return elfBuildId(fd);
  } finally {
    closeSync(fd);
  }
}
