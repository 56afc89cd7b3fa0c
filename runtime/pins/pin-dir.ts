// The directory a probe is pinned in, on bpffs. Pins are a trust boundary: whoever can write the
// directory can put a map or a link of their own where tsbpf reads or removes one. So tsbpf
// pins only into a directory of its own user that nobody else may write (it makes a new one
// with mode 700), and opens and unpins only from such a directory, entries of that user only.

import { lstatSync, mkdirSync, readdirSync, statfsSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { TsbpfError } from "../../contract/errors.js";

const BPF_FS_MAGIC = 0xcafe4a11;
const BPFFS = "/sys/fs/bpf";

/** The names tsbpf gives its pins (bpffs refuses a '.' in a name): its record (pin-record.ts), a program's attachment, a map. */
export const RECORD_PIN_NAME = "tsbpf";
export const linkPinName = (program: string) => `link_${program}`;
export const mapPinName = (map: string) => `map_${map}`;

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * A directory for new pins: `dir` made now (its parent must be on bpffs), or an empty one of
 * this user's that nobody else may write. `made` says whether to remove it if pinning fails.
 */
export function newPinDir(dir: string): { path: string; made: boolean } {
  const path = resolve(dir);
  const parent = dirname(path);
  if (!lstatOrUndefined(path)) {
    if (!lstatOrUndefined(parent))
      throw new TsbpfError(`${parent} does not exist`, { subject: path, hint: `pins go into a new directory under an existing one on bpffs, e.g. ${BPFFS}/<name>; make ${parent} first if you want it there` });
    requireBpffs(parent, path);
    try {
      mkdirSync(path, { mode: 0o700 });
      return { path, made: true };
    } catch (e) {
      if (errorCode(e) !== "EEXIST") throw new TsbpfError(`cannot make the pin directory ${path} (${errorCode(e) ?? e})`, { subject: path });
      // made by someone else meanwhile: checked below like any existing directory
    }
  }
  const stats = trustedDir(path);
  if (stats.dev !== statSync(parent).dev)
    throw new TsbpfError(`${path} is where a bpffs is mounted`, { subject: path, hint: `pin into a new directory inside it, e.g. ${path}/<name>: tsbpf unpin removes the directory it pinned into` });
  const held = readdirSync(path);
  if (held.length)
    throw new TsbpfError(`${path} already holds pins (${held.slice(0, 5).join(", ")}${held.length > 5 ? ", …" : ""})`, {
      subject: path,
      hint: held.includes(RECORD_PIN_NAME) ? `a probe is pinned there: \`tsbpf unpin ${path}\` detaches it, or pin into another directory` : "pin into a new or empty directory",
    });
  return { path, made: false };
}

/** An existing pin directory that tsbpf may read and remove pins from; `missing` says what to do when there is none. */
export function existingPinDir(dir: string, missing: string): string {
  const path = resolve(dir);
  if (!lstatOrUndefined(path)) throw new TsbpfError(`there are no pins at ${path}`, { subject: path, hint: missing });
  trustedDir(path);
  return path;
}

/** A pin in a trusted directory: this user's, and nobody else's to replace. */
export function requireTrustedEntry(path: string): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) throw new TsbpfError(`${path} is a symbolic link, not a pin`, { subject: path, hint: "tsbpf reads only pins it made; remove the link" });
  requireOwnedByUs(path, stats);
}

/** A directory on bpffs, of this user, that no other user may write (a sticky one included: its pins could still be added by others). */
function trustedDir(path: string): Stats {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) throw new TsbpfError(`${path} is a symbolic link`, { subject: path, hint: "name the pin directory itself" });
  if (!stats.isDirectory()) throw new TsbpfError(`${path} is not a directory`, { subject: path, hint: `pins go into a directory on bpffs, e.g. ${BPFFS}/<name>` });
  requireBpffs(path, path);
  requireOwnedByUs(path, stats);
  if (stats.mode & 0o022)
    throw new TsbpfError(`${path} can be written by other users (mode ${(stats.mode & 0o7777).toString(8)})`, {
      subject: path,
      hint: "another user could have put pins of their own there: tsbpf pins into a directory of its own (a new one: it makes it with mode 700)",
    });
  return stats;
}

function requireOwnedByUs(path: string, stats: Stats): void {
  const uid = process.geteuid!();
  if (stats.uid !== uid)
    throw new TsbpfError(`${path} belongs to uid ${stats.uid}, not to this user (uid ${uid})`, {
      subject: path,
      hint: "tsbpf uses only pins and pin directories of its own user: pin into a new directory, or run as the user who pinned",
    });
}

function requireBpffs(path: string, subject: string): void {
  if (statfsSync(path).type === BPF_FS_MAGIC) return;
  const mounted = lstatOrUndefined(BPFFS) && statfsSync(BPFFS).type === BPF_FS_MAGIC;
  throw new TsbpfError(`${path} is not on the BPF filesystem (bpffs)`, {
    subject,
    hint: mounted
      ? `pins live on bpffs: use a directory under ${BPFFS}, e.g. ${BPFFS}/<name>`
      : `pins live on bpffs, which is not mounted at ${BPFFS}: mount it (\`mount -t bpf bpf ${BPFFS}\`) and use a directory under it`,
  });
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if (errorCode(e) === "ENOENT") return undefined;
    throw new TsbpfError(`cannot look at ${path} (${errorCode(e) ?? e})`, { subject: path });
  }
}
