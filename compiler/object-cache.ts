// The object cache: a compiled object is reused when nothing that affects it has changed —
// the probe's path and bytes, tsbpf's version, compiler and declaration files, the cpu, TSBPF_LIBLLVM.
// A hit loads neither TypeScript nor LLVM (decisions D7). The index records the object's
// sha256: an object that does not match, or is not a BPF ELF file, is dropped and rebuilt (D35).

import { createHash } from "node:crypto";
import { kernelKey } from "./kernel/kernel-request.js";
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { readProbeSource } from "./source-file.js";
import { cacheDir, dropCached, readCached, writeCached } from "./cache-dir.js";
import type { CompiledObject, ParamLayout, ProgramInfo } from "../contract/manifest.js";
import { generatedDeclarationsDir, stdlibDir } from "./declaration-files.js";
import { packageVersion } from "../contract/paths.js";
import { DEFAULT_CPU } from "./compile-options.js";

let fingerprint: string | undefined;

/**
 * Identifies this build of the compiler and its declarations (generated ones too) by their
 * contents. The files that count are the compiler's and the contract's code and the declaration
 * files (not the compiler's own .d.ts, nor source maps). Every cached run stats them (each stat
 * costs, D82) and keys on their sizes and times; the contents behind those are hashed once, when
 * they first differ, and the answer kept in the cache (D205): `npm test`'s tsc writes the same
 * files again, and keyed on times alone every cached object and the compiler's snapshot were
 * made again after it.
 */
export function compilerFingerprint(): string {
  if (fingerprint) return fingerprint;
  const files = compilerFiles();
  const statKey = createHash("sha256").update(packageVersion);
  for (const f of files) statKey.update(`${f.path}:${f.size}:${f.mtimeMs}\n`);
  const stats = statKey.digest("hex");
  const dir = cacheDir("objects", { quiet: true });
  if (!dir) return (fingerprint = stats); // no cache: nothing is kept under the fingerprint, so no contents are read for it
  const record = join(dir, `compiler-${stats.slice(0, 32)}.fingerprint`);
  const known = readCached(record, 128)?.toString("latin1");
  if (known && /^[0-9a-f]{64}$/.test(known)) return (fingerprint = known);
  const content = createHash("sha256").update(packageVersion);
  for (const f of files) {
    content.update(`${f.path}:${f.size}\n`);
    try {
      content.update(readFileSync(f.path));
    } catch {
      content.update("(unreadable)");
    }
  }
  fingerprint = content.digest("hex");
  writeCached(record, fingerprint);
  return fingerprint;
}

/** The files whose contents make the compiler's fingerprint, in a fixed order, with their sizes and times. */
function compilerFiles(): { path: string; size: number; mtimeMs: number }[] {
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  const walk = (dir: string, counts: RegExp): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const e of entries) {
      const path = `${dir}/${e.name}`; // dir is absolute and normalised: no path.join per file
      if (e.isDirectory()) walk(path, counts);
      else if (counts.test(e.name)) {
        const st = statSync(path);
        files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  walk(__dirname, /\.js$/);
  // The contract's code lays out what the compiler writes (c-layout.ts, c-values.ts).
  walk(join(__dirname, "..", "contract"), /\.js$/);
  walk(stdlibDir, /\.d\.ts$/);
  const generated = generatedDeclarationsDir();
  if (generated) walk(generated, /\.d\.ts$/);
  return files;
}

/** The compile options that change the object (a part of compile.ts's `CompileOptions`). */
export interface ObjectOptions {
  cpu?: string;
}

/**
 * The key, and the source it was made from: the build compiles that same text, so an object is
 * never stored under the key of a file that changed in between.
 */
export function cacheKey(fileName: string, opts: ObjectOptions): { key: string; source: string } {
  const bytes = readProbeSource(fileName);
  const source = bytes.toString("utf8");
  const key = createHash("sha256")
    .update(compilerFingerprint())
    .update(`\0${fileName}\0${opts.cpu ?? DEFAULT_CPU}\0${process.env.TSBPF_LIBLLVM ?? ""}\0`)
    .update(bytes)
    // The records of the tracepoints the probe reads, and the kernel its types came from: another
    // kernel's may be laid out otherwise (D129, D130).
    .update(`\0${kernelKey(source)}`)
    .digest("hex")
    .slice(0, 32);
  return { key, source };
}

const MAX_OBJECT_BYTES = 256 << 20;
const MAX_INDEX_BYTES = 64 << 20;

/** The manifest without the object, and the object's hash. */
interface IndexEntry extends Omit<CompiledObject, "object"> {
  sha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function readCache(key: string): CompiledObject | undefined {
  const dir = cacheDir("objects");
  if (!dir) return undefined;
  const indexPath = join(dir, `${key}.json`);
  const objectPath = join(dir, `${key}.bpf.o`);
  const index = readCached(indexPath, MAX_INDEX_BYTES);
  if (!index) return undefined;
  const entry = parseIndex(index);
  const object = entry && readCached(objectPath, MAX_OBJECT_BYTES);
  if (entry && object && sha256(object) === entry.sha256 && isBpfElf(object)) return { object, programs: entry.programs, params: entry.params, maps: entry.maps, ...(entry.printf && { printf: entry.printf }), ...(entry.printk && { printk: true }), ...(entry.stacks && { stacks: entry.stacks }) };
  dropCached(indexPath, objectPath);
  return undefined;
}

function parseIndex(bytes: Buffer): IndexEntry | undefined {
  try {
    const e = JSON.parse(bytes.toString("utf8")) as Partial<IndexEntry> | null;
    return typeof e?.sha256 === "string" && Array.isArray(e.programs) && Array.isArray(e.params) && Array.isArray(e.maps) ? (e as IndexEntry) : undefined;
  } catch {
    return undefined;
  }
}

const EM_BPF = 247;

/** An ELF file for the BPF machine, in either byte order (the rest is libbpf's to judge). */
function isBpfElf(b: Buffer): boolean {
  return b.length >= 64 && b.readUInt32BE(0) === 0x7f454c46 && (b[5] === 2 ? b.readUInt16BE(18) : b.readUInt16LE(18)) === EM_BPF;
}

export function writeCache(key: string, r: CompiledObject): void {
  const dir = cacheDir("objects");
  if (!dir) return;
  writeCached(join(dir, `${key}.bpf.o`), r.object);
  const entry: IndexEntry = { sha256: sha256(r.object), programs: r.programs, params: r.params, maps: r.maps, ...(r.printf && { printf: r.printf }), ...(r.printk && { printk: true }), ...(r.stacks && { stacks: r.stacks }) };
  writeCached(join(dir, `${key}.json`), JSON.stringify(entry));
}
