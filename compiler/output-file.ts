// What `tsbpf build` writes (the object, the IR): never over the probe's source, whole or not
// at all (a build killed midway leaves the old file or none), and every failure a clear error
// naming the path. /dev/null, /dev/stdout, a fifo: written as they are, never replaced.

import { closeSync, openSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TsbpfError } from "../contract/errors.js";
import { errnoCode, replaceFile, writeAll } from "./trusted-files.js";

export function writeOutput(path: string, data: Uint8Array | string, source: string): void {
  if (path === "") throw new TsbpfError("the output file name is empty", { subject: "-o ''", hint: "name a file, e.g. -o probe.bpf.o, or leave -o out to write <probe>.bpf.o next to the probe" });
  const target = resolve(path);
  const st = existing(path, target);
  if (path.endsWith("/") || st?.isDirectory()) throw cannotWrite(path, "it is a directory", `name a file in it, e.g. -o ${join(path, "probe.bpf.o")}`);
  if (st && isSameFile(st, source))
    throw new TsbpfError("the output would overwrite the probe's source", { subject: path, hint: "name the object file, e.g. -o probe.bpf.o (by default it goes next to the probe as <probe>.bpf.o)" });
  try {
    const fd = standardStream(target);
    if (fd !== undefined) writeAll(fd, data);
    else if (st && !st.isFile()) writeInPlace(target, data);
    else replaceFile(st ? realpathSync(target) : target, data, 0o666); // through a symbolic link: its target
  } catch (e) {
    throw outputError(path, e);
  }
}

function existing(path: string, target: string): Stats | undefined {
  try {
    return statSync(target);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw outputError(path, e);
  }
}

function isSameFile(st: Stats, source: string): boolean {
  try {
    const s = statSync(source);
    return s.dev === st.dev && s.ino === st.ino;
  } catch {
    return false;
  }
}

/**
 * /dev/stdout and the like name a descriptor this process already has: reopening it fails when
 * it is a socket (ENXIO), and would replace a file a shell redirected it to.
 */
function standardStream(target: string): 1 | 2 | undefined {
  const m = /^\/(?:dev\/std(out|err)|dev\/fd\/([12])|proc\/self\/fd\/([12]))$/.exec(target);
  return m ? (m[1] === "out" || m[2] === "1" || m[3] === "1" ? 1 : 2) : undefined;
}

/** A device or fifo: opened and written, as a shell's `>` would. */
function writeInPlace(target: string, data: Uint8Array | string): void {
  const fd = openSync(target, "w");
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

const cannotWrite = (path: string, why: string, hint: string) => new TsbpfError(`cannot write the output: ${why}`, { subject: path, hint });

function outputError(path: string, e: unknown): unknown {
  const code = errnoCode(e);
  const elsewhere = "name another file with -o";
  switch (code) {
    case undefined:
      return e;
    case "ENOENT":
      return cannotWrite(path, `the directory ${dirname(resolve(path))} does not exist (ENOENT)`, `create it first (mkdir -p ${dirname(path)}), or ${elsewhere}`);
    case "ENOTDIR":
      return cannotWrite(path, "a part of the path is not a directory (ENOTDIR)", elsewhere);
    case "EISDIR":
      return cannotWrite(path, "it is a directory (EISDIR)", `name a file in it, e.g. -o ${join(path, "probe.bpf.o")}`);
    case "EACCES":
    case "EPERM":
      return cannotWrite(path, `permission denied (${code})`, `${elsewhere} in a directory you can write to`);
    case "EROFS":
      return cannotWrite(path, "the file system is read-only (EROFS)", `${elsewhere} on a writable file system`);
    case "ENOSPC":
    case "EDQUOT":
      return cannotWrite(path, `no space left on the device (${code})`, `free some space, or ${elsewhere} on another file system`);
    default:
      return cannotWrite(path, `${(e as Error).message}`, elsewhere);
  }
}
