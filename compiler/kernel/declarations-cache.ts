// The kernel declarations a probe gets, kept between runs (D132): making them means reading the
// kernel's BTF and naming its 100,000 types (the names must be those of the whole module, which
// `tsbpf types` writes for the editor), about 150 ms of a cold build; the same probe (or another
// asking the same) on the same kernel gets the same text. Keyed by the compiler, the kernel and
// what the probe asks; stored only for a request the kernel fully answers (a missing name is an
// error each time). The BTF itself is still read (50 ms): lowering declares CO-RE's local types
// from it.

import { createHash } from "node:crypto";
import { join } from "node:path";
import { cacheDir, dropCached, readCached, writeCached } from "../cache-dir.js";
import { compilerFingerprint } from "../object-cache.js";
import type { SubsetRequest } from "../btf/kernel-subset.js";
import { btfIdentity } from "./kernel-request.js";

export interface CachedDeclarations {
  text: string;
  composites: Map<string, number>;
}

const MAX_BYTES = 32 << 20;

function keyOf(request: SubsetRequest): string {
  const asked = { types: [...request.types].sort(), functions: request.functions, properties: [...request.properties].sort(), task: request.task, raw: request.rawTracepoints };
  return createHash("sha256").update(compilerFingerprint()).update(`\0${btfIdentity()}\0`).update(JSON.stringify(asked)).digest("hex").slice(0, 32);
}

export function readDeclarations(request: SubsetRequest): CachedDeclarations | undefined {
  const dir = cacheDir("kernel", { create: false });
  if (!dir) return undefined;
  const file = join(dir, `${keyOf(request)}.json`);
  let bytes: Buffer | undefined;
  try {
    bytes = readCached(file, MAX_BYTES);
  } catch {
    return undefined; // not there (yet)
  }
  try {
    const entry = bytes && (JSON.parse(bytes.toString("utf8")) as { text?: unknown; composites?: unknown });
    if (entry && typeof entry.text === "string" && Array.isArray(entry.composites)) return { text: entry.text, composites: new Map(entry.composites as [string, number][]) };
  } catch {
    // a torn or foreign file: made again below
  }
  if (bytes) dropCached(file);
  return undefined;
}

export function writeDeclarations(request: SubsetRequest, d: CachedDeclarations): void {
  const dir = cacheDir("kernel");
  if (dir) writeCached(join(dir, `${keyOf(request)}.json`), JSON.stringify({ text: d.text, composites: [...d.composites] }));
}
