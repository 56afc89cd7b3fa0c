// Files as a trust boundary (decisions D35). What tsbpf reads back from disk must be a file only
// this user (or root) could have written, reached through directories no one else can rename;
// what it writes appears whole or not at all, through a temporary file no one else could have
// prepared (an exclusive create under a random name, in the same directory, then a rename).

import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync, type Stats } from "node:fs";
import { dirname, join, sep } from "node:path";

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** A file or directory tsbpf will not use, and why; the caller decides whether that is an error. */
export class UntrustedFile extends Error {}

export const euid = (): number => process.geteuid?.() ?? 0;

export const errnoCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** Why someone other than this user could have written what `st` describes, if they could. */
export function writableByOthers(st: Stats, path: string): string | undefined {
  if (st.uid !== euid()) return `${path} is owned by uid ${st.uid}, not by uid ${euid()}`;
  if (st.mode & 0o022) return `${path} is writable by ${st.mode & 0o002 ? "other users" : "its group"} (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

/**
 * Why someone other than this user or root could rename or replace an entry of `realDir` or of
 * a directory above it, if they could. `realDir` has no symbolic links (a realpath). In a
 * directory that others may write to, only a sticky bit (as on /tmp) keeps them from renaming
 * entries they do not own.
 */
export function unsafeAncestry(realDir: string): string | undefined {
  const parts = realDir.split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    let st: Stats;
    try {
      st = lstatSync(dir);
    } catch (e) {
      return `cannot inspect ${dir} (${errnoCode(e)})`;
    }
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== euid() && st.uid !== 0) return `${dir} is owned by uid ${st.uid}, who could replace what is in it`;
    if (st.mode & 0o022 && !(st.mode & 0o1000)) return `${dir} is writable by ${st.mode & 0o002 ? "other users" : "its group"} and not sticky`;
  }
  return undefined;
}

/** Why `dir` is not a real directory of this user's that only they can write, if it is not. */
export function notOwnDirectory(dir: string): string | undefined {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (e) {
    return `cannot inspect ${dir} (${errnoCode(e)})`;
  }
  if (st.isSymbolicLink()) return `${dir} is a symbolic link`;
  if (!st.isDirectory()) return `${dir} is not a directory`;
  return writableByOthers(st, dir);
}

/**
 * Creates one directory, mode 0700 whatever the umask (one component: a recursive mkdir spins
 * forever on paths such as /proc/x). False if something is already there.
 */
export function makePrivateDirectory(path: string): boolean {
  try {
    mkdirSync(path, 0o700);
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
  chmodSync(path, 0o700);
  return true;
}

/**
 * The bytes of a regular file that this user alone can have written, at most `maxBytes` of
 * them; undefined if there is no such file. Throws UntrustedFile for anything else: a symbolic
 * link (not followed), a fifo or device, another user's file, one writable by others.
 */
export function readOwnFile(path: string, maxBytes: number): Buffer | undefined {
  const file = openOwnFile(path, maxBytes);
  if (!file) return undefined;
  try {
    return readUpTo(file.fd, file.size);
  } finally {
    closeSync(file.fd);
  }
}

/**
 * As readOwnFile, the file opened for reading (the caller closes `fd`) instead of read: for
 * another process to read the very file that was checked (/dev/fd/N).
 */
export function openOwnFile(path: string, maxBytes: number): { fd: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw new UntrustedFile(errnoCode(e) === "ELOOP" ? `${path} is a symbolic link` : `cannot open ${path} (${errnoCode(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UntrustedFile(`${path} is not a regular file`);
    const why = writableByOthers(st, path);
    if (why) throw new UntrustedFile(why);
    if (st.size > maxBytes) throw new UntrustedFile(`${path} is larger than ${maxBytes} bytes`);
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Up to `size` bytes of an open file, from its start (fewer if it shrank meanwhile). */
export function readUpTo(fd: number, size: number, allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const bytes = allocate(size);
  let n = 0;
  while (n < size) {
    const got = readSync(fd, bytes, n, size - n, n);
    if (got === 0) break;
    n += got;
  }
  return bytes.subarray(0, n);
}

/**
 * Replaces `path` with `data` through a new file in the same directory, created exclusively
 * (O_EXCL, O_NOFOLLOW) under a random name and renamed over `path`: a reader, or a process
 * killed midway, sees the old file or the new one (or none), never part of one. `mode` 0600
 * is kept exactly (private files); 0666 is left to the umask (outputs, as any compiler's).
 * Throws the system's error; the temporary file is gone either way.
 */
export function replaceFile(path: string, data: Uint8Array | string, mode: 0o600 | 0o666): void {
  const temp = join(dirname(path), `.tsbpf-${randomBytes(8).toString("hex")}.tmp`);
  let fd = openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  try {
    if (mode === 0o600) fchmodSync(fd, mode);
    writeAll(fd, data);
    const done = fd;
    fd = -1;
    closeSync(done);
    renameSync(temp, path);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Writes all of `data` at `fd`'s position (writeSync may write less than asked). */
export function writeAll(fd: number, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}
