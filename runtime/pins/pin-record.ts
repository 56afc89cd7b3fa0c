// What tsbpf pinned in a directory, pinned beside it: `tsbpf unpin` removes exactly that, and
// refuses a directory without it (one tsbpf did not make). bpffs holds BPF objects and
// directories only, no regular file, so the record is a map too: a one-entry array whose value
// is the record's JSON, frozen (no process may write it after) and named tsbpf_pins.

import { closeSync, existsSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { TsbpfError } from "../../contract/errors.js";
import { errnoText, kernelMapInfo, libbpf } from "../../native/libbpf.js";
import { RECORD_PIN_NAME, requireTrustedEntry } from "./pin-dir.js";

export interface PinRecord {
  /** The probe's source file when it was pinned. */
  source: string;
  /** The programs whose attachments are pinned (`link_<name>`). */
  programs: string[];
  /** The maps pinned (`map_<name>`). */
  maps: string[];
}

const BPF_MAP_TYPE_ARRAY = 2;
const RECORD_MAP_NAME = "tsbpf_pins";
const FORMAT = 1;
const MAX_RECORD_BYTES = 1 << 20;
/** A program's or a map's name in a pin's name: no '/' (a path), no '.' (bpffs refuses it), what fits in 255 bytes after `link_`. */
const PIN_SAFE_NAME = /^[^/.\0]{1,250}$/;

/** Pins the record in `dir` before anything else: a run killed half-way leaves what `tsbpf unpin` needs to finish. */
export function pinRecord(dir: string, record: PinRecord): void {
  const lib = libbpf();
  const json = Buffer.from(JSON.stringify({ tsbpf: FORMAT, ...record }));
  const path = join(dir, RECORD_PIN_NAME);
  const fd = lib.mapCreate(BPF_MAP_TYPE_ARRAY, RECORD_MAP_NAME, 4, json.length, 1, null);
  if (fd < 0) throw new TsbpfError(`cannot make the record of the pins in ${dir} (${errnoText(-fd)})`, { subject: path });
  try {
    for (const [step, err] of [
      ["write", () => lib.fdUpdateElem(fd, Buffer.alloc(4), json, 0n)],
      ["freeze", () => lib.mapFreeze(fd)],
      ["pin", () => lib.objPin(fd, path)],
    ] as const) {
      const e = err();
      if (e < 0) throw new TsbpfError(`cannot ${step} the record of the pins at ${path} (${errnoText(-e)})`, { subject: path });
    }
  } finally {
    closeSync(fd);
  }
}

/** The record tsbpf pinned in `dir`; undefined when there is none (not tsbpf's directory). */
export function readPinRecord(dir: string): PinRecord | undefined {
  const path = join(dir, RECORD_PIN_NAME);
  if (!existsSync(path)) return undefined;
  requireTrustedEntry(path);
  const lib = libbpf();
  const fd = lib.objGet(path);
  if (fd < 0) throw new TsbpfError(`cannot open ${path} (${errnoText(-fd)})`, { subject: path });
  try {
    const info = isMap(fd) ? kernelMapInfo(fd) : undefined;
    if (typeof info !== "object" || info.type !== BPF_MAP_TYPE_ARRAY || info.name !== RECORD_MAP_NAME || info.keySize !== 4 || info.maxEntries !== 1 || info.valueSize > MAX_RECORD_BYTES)
      throw notARecord(path);
    const value = Buffer.alloc(info.valueSize);
    if (lib.fdLookupElem(fd, Buffer.alloc(4), value) < 0) throw notARecord(path);
    return parseRecord(value.toString("utf8"), path);
  } finally {
    closeSync(fd);
  }
}

/** Whether `fd` is a BPF map (bpf_obj_get opens programs and links as well). */
export function isMap(fd: number): boolean {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === "anon_inode:bpf-map";
  } catch {
    return false;
  }
}

function parseRecord(text: string, path: string): PinRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw notARecord(path);
  }
  const r = data as Record<string, unknown>;
  const names = (v: unknown) => Array.isArray(v) && v.every((n) => typeof n === "string" && PIN_SAFE_NAME.test(n));
  if (typeof r !== "object" || r === null || r.tsbpf !== FORMAT || typeof r.source !== "string" || !names(r.programs) || !names(r.maps)) throw notARecord(path);
  return { source: r.source, programs: r.programs as string[], maps: r.maps as string[] };
}

function notARecord(path: string): TsbpfError {
  return new TsbpfError(`${path} is not a record of pins made by this version of tsbpf`, {
    subject: path,
    hint: "tsbpf reads and removes only pins it made; remove these yourself (rm), or with the tsbpf that made them",
  });
}
