// Reading the probe file itself: a regular file of bounded size. A path to /dev/zero or a FIFO
// would otherwise read forever or hang, before any check of what the file says.

import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { TsbpfError } from "../contract/errors.js";
import { readUpTo } from "./trusted-files.js";

/** A probe file larger than this is refused: the largest real ones are a few hundred kB. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

/** The probe file's bytes; a TsbpfError naming it if it is missing, not a regular file or too large. */
export function readProbeSource(fileName: string): Buffer {
  const bytes = readRegularFile(fileName, MAX_SOURCE_BYTES, {
    notRegular: (directory) =>
      directory
        ? new TsbpfError("is a directory, not a probe file", { subject: fileName, hint: "name a .ts file" })
        : new TsbpfError("is not a regular file", { subject: fileName, hint: "a probe is a .ts file; devices, pipes and sockets are not read" }),
    tooLarge: (size) =>
      new TsbpfError(`is ${size} bytes; tsbpf reads probe files of at most ${MAX_SOURCE_BYTES / 1024 / 1024} MiB`, { subject: fileName, hint: "split it into several probe files" }),
    unreadable: (e) => unreadable(fileName, e),
  });
  // TypeScript leaves a root file of another extension out of the program, and a built object
  // (`tsbpf run probe.bpf.o`) is an easy mistake to make.
  if (!/\.[cm]?ts$/.test(fileName) || /\.d\.[cm]?ts$/.test(fileName))
    throw new TsbpfError("is not a TypeScript probe file", {
      subject: fileName,
      hint: /\.o$/.test(fileName)
        ? "tsbpf builds and runs probes from their .ts source: run the .ts file (a built object loads with any libbpf tool, e.g. bpftool prog loadall)"
        : "a probe is a .ts file (not a .d.ts): rename it, or name the .ts file",
    });
  return bytes;
}

/**
 * The bytes of a regular file of at most `maxBytes` (opened without blocking: a fifo named by
 * mistake is refused, not waited on), or the error `errors` gives for what is wrong.
 */
export function readRegularFile(
  fileName: string,
  maxBytes: number,
  errors: { notRegular(directory: boolean): TsbpfError; tooLarge(size: number): TsbpfError; unreadable(e: unknown): TsbpfError },
  allocate?: (size: number) => Buffer,
): Buffer {
  let fd: number;
  try {
    fd = openSync(fileName, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw errors.unreadable(e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw errors.notRegular(st.isDirectory());
    if (st.size > maxBytes) throw errors.tooLarge(st.size);
    return readUpTo(fd, st.size, allocate);
  } catch (e) {
    throw e instanceof TsbpfError ? e : errors.unreadable(e);
  } finally {
    closeSync(fd);
  }
}

function unreadable(fileName: string, e: unknown): TsbpfError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return new TsbpfError("no such file", { subject: fileName, hint: "check the path of the probe file" });
  if (code === "EISDIR") return new TsbpfError("is a directory, not a probe file", { subject: fileName, hint: "name a .ts file" });
  if (code === "EACCES") return new TsbpfError("cannot read the file (permission denied)", { subject: fileName, hint: "check the file's permissions" });
  return new TsbpfError(`cannot read the file (${code ?? (e as Error).message})`, { subject: fileName });
}
