// Probes that outlive their process. A probe's links and maps live in its process's file table
// and go when it ends (the seed's lesson: probes are ephemeral unless pinned); pinned on bpffs,
// they stay until the pins are removed. In a pin directory, tsbpf puts its record
// (pin-record.ts), one `link_<program>` per attached program (the link holds the program, and
// the program its maps) and one `map_<name>` per declared map, to read them from elsewhere.

import { closeSync, existsSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { Errno, errnoText, kernelMapInfo, libbpf } from "../../native/libbpf.js";
import type { Link } from "../attach/link.js";
import { LoadedObject, type CompiledObject } from "../loader.js";
import { writeStderr } from "../stderr.js";
import { existingPinDir, linkPinName, mapPinName, newPinDir, RECORD_PIN_NAME, requireTrustedEntry } from "./pin-dir.js";
import { isMap, pinRecord, readPinRecord, type PinRecord } from "./pin-record.js";

export interface AttachedProgram {
  program: string;
  link: Link;
}

/**
 * Pins the links and the maps (libbpf's handle of each, by name) in `dir`, made now or empty.
 * All or nothing: on a failure half-way, what was pinned is removed (and the directory, if made
 * here) before the error is thrown. Gives the directory's absolute path.
 */
export function pinProbe(dir: string, source: string, links: AttachedProgram[], maps: MapInfo[], mapHandle: (name: string) => bigint): string {
  if (!links.length) throw new TsbpfError("the probe has nothing attached to pin", { subject: dir, hint: "attach() it first: pins keep attachments (and the maps with them) after the process ends" });
  const { path, made } = newPinDir(dir);
  const pinned: string[] = [];
  const pinAt = (name: string, what: string, pin: (at: string) => number) => {
    const at = join(path, name);
    const err = pin(at);
    if (err < 0)
      throw new TsbpfError(`cannot pin ${what} at ${at} (${errnoText(-err)})`, {
        subject: path,
        hint: -err === Errno.ENAMETOOLONG ? "bpffs takes names of up to 255 bytes, and tsbpf names pins link_<program> and map_<map>: give it a shorter name" : undefined,
      });
    pinned.push(at);
  };
  try {
    const record: PinRecord = { source, programs: links.map((l) => l.program), maps: maps.map((m) => m.name) };
    pinAt(RECORD_PIN_NAME, "the record of the pins", (at) => (pinRecord(path, record), 0));
    for (const { program, link } of links) pinAt(linkPinName(program), `the attachment of program '${program}'`, (at) => link.pin(at));
    for (const m of maps) pinAt(mapPinName(m.name), `map '${m.name}'`, (at) => libbpf().objPin(libbpf().mapFd(mapHandle(m.name)), at));
  } catch (e) {
    for (const at of pinned.reverse()) removeOrSay(at, unlinkSync, "rm");
    if (made) removeOrSay(path, rmdirSync, "rmdir");
    throw e;
  }
  return path;
}

/** Removes what a failed pinning pinned; what cannot be removed is said, with the command that removes it. */
function removeOrSay(path: string, remove: (path: string) => void, command: string): void {
  try {
    remove(path);
  } catch (e) {
    writeStderr(`tsbpf: could not remove ${path} (${(e as NodeJS.ErrnoException).code ?? e}); remove it with: ${command} ${path}\n`);
  }
}

/**
 * The maps pinned in `dir`, read through the compiled object of the probe's source: the object
 * is opened, not loaded, and each of its maps is pointed at its pin. The pins must be of the
 * same maps (kind, key and value sizes), or this says which one differs.
 */
export function openPinnedMaps(c: CompiledObject, dir: string): LoadedObject {
  const path = existingPinDir(dir, `pin the probe first: \`tsbpf run ${c.file} --pin ${dir}\` or probe.pin(dir)`);
  const record = readPinRecord(path);
  if (!record) throw notMadeByTsbpf(path);
  const object = LoadedObject.openUnloaded(c);
  try {
    for (const m of c.maps ?? []) adoptPinnedMap(object.mapHandle(m.name), m, path, record, c.file);
  } catch (e) {
    object.close();
    throw e;
  }
  return object;
}

function adoptPinnedMap(handle: bigint, m: MapInfo, dir: string, record: PinRecord, source: string): void {
  const at = join(dir, mapPinName(m.name));
  const fromOtherSource = `open the pins with the source they were made from (${record.source}), as it was then`;
  if (!record.maps.includes(m.name) || !existsSync(at))
    throw new TsbpfError(`${dir} has no pin of map '${m.name}', which ${source} declares`, {
      subject: at,
      hint: record.maps.length ? `its pinned maps are ${record.maps.join(", ")}: ${fromOtherSource}` : `no map is pinned there: ${fromOtherSource}`,
    });
  requireTrustedEntry(at);
  const lib = libbpf();
  const fd = lib.objGet(at);
  if (fd < 0) throw new TsbpfError(`cannot open the pin ${at} (${errnoText(-fd)})`, { subject: at });
  try {
    const pinned = isMap(fd) ? kernelMapInfo(fd) : undefined;
    if (typeof pinned !== "object") throw new TsbpfError(`${at} is not a pinned map`, { subject: at, hint: fromOtherSource });
    const wanted = { type: lib.mapType(handle), keySize: lib.mapKeySize(handle), valueSize: lib.mapValueSize(handle), maxEntries: lib.mapMaxEntries(handle) };
    // A size libbpf sets at load (0 in the object: a perf event array's, one per CPU) is not compared.
    const differs = pinned.type !== wanted.type || pinned.keySize !== wanted.keySize || pinned.valueSize !== wanted.valueSize || (wanted.maxEntries !== 0 && pinned.maxEntries !== wanted.maxEntries);
    if (differs)
      throw new TsbpfError(`the map pinned at ${at} is not the '${m.name}' that ${source} declares`, {
        subject: at,
        hint: fromOtherSource,
        detail: `pinned: ${describe(pinned)}\ndeclared: ${describe(wanted)}`,
      });
    const err = lib.mapReuseFd(handle, fd); // keeps its own copy of the fd
    if (err < 0) throw new TsbpfError(`cannot read the map pinned at ${at} (${errnoText(-err)})`, { subject: at });
  } finally {
    closeSync(fd);
  }
}

const describe = (m: { type: number; keySize: number; valueSize: number; maxEntries: number }) =>
  `map type ${m.type}, ${m.keySize}-byte keys, ${m.valueSize}-byte values, ${m.maxEntries} entries`;

export interface Unpinned {
  dir: string;
  source: string;
  /** The programs detached (their pinned links removed). */
  programs: string[];
  maps: string[];
}

/**
 * Removes what tsbpf pinned in `dir` (the links first: that detaches the programs), then the
 * directory. Refuses a directory tsbpf did not pin into, or one that holds pins of others,
 * before removing anything. Pins already gone (a pinning killed half-way) are passed over.
 */
export function unpin(dir: string): Unpinned {
  const path = existingPinDir(dir, "nothing is pinned there: `tsbpf run <probe.ts> --pin DIR` pins a probe");
  const record = readPinRecord(path);
  if (!record) throw notMadeByTsbpf(path);
  const links = record.programs.map(linkPinName);
  const maps = record.maps.map(mapPinName);
  const ours = new Set([...links, ...maps, RECORD_PIN_NAME]);
  const held = readdirSync(path);
  const others = held.filter((n) => !ours.has(n));
  if (others.length)
    throw new TsbpfError(`${path} also holds ${others.map((n) => `'${n}'`).join(", ")}, which tsbpf did not pin there`, {
      subject: path,
      hint: `remove ${others.length === 1 ? "it" : "them"} yourself (rm ${join(path, others[0])}), then unpin again: tsbpf removes only what it pinned`,
    });
  for (const name of held) requireTrustedEntry(join(path, name));
  const present = (name: string) => held.includes(name);
  for (const name of [...links, ...maps, RECORD_PIN_NAME]) if (present(name)) unlinkSync(join(path, name));
  rmdirSync(path);
  return {
    dir: path,
    source: record.source,
    programs: record.programs.filter((p) => present(linkPinName(p))),
    maps: record.maps.filter((m) => present(mapPinName(m))),
  };
}

function notMadeByTsbpf(path: string): TsbpfError {
  return new TsbpfError(`${path} holds no pins made by tsbpf (it has no ${RECORD_PIN_NAME} record)`, {
    subject: path,
    hint: "tsbpf reads and removes only pins it made (`tsbpf run --pin`, probe.pin()); remove other pins yourself (rm)",
  });
}
