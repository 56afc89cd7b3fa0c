// Joins the objects of a module built in parts (D20) into one libbpf object, with libbpf's
// static linker (as `bpftool gen object` does): BTF and line info merged, each part's extern
// declarations resolved to the part that defines them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errnoText, libbpf, takeLibbpfMessages } from "../native/libbpf.js";
import { TsbpfError } from "../contract/errors.js";

/** Whether objects can be linked here (libbpf found): a module is built in parts only then. */
export function canLink(): boolean {
  try {
    libbpf();
    return true;
  } catch {
    return false;
  }
}

export function linkObjects(objects: Buffer[]): Buffer {
  if (objects.length === 1) return objects[0];
  const lib = libbpf();
  // The linker reads and writes files: a private directory, removed whatever happens.
  const dir = onTemp(() => mkdtempSync(join(tmpdir(), "tsbpf-link-")));
  try {
    const out = join(dir, "linked.o");
    takeLibbpfMessages();
    const linker = lib.linkerNew(out, null);
    if (!linker) throw linkError("could not start libbpf's linker");
    try {
      objects.forEach((o, i) => {
        const file = join(dir, `part${i}.o`);
        onTemp(() => writeFileSync(file, o));
        const err = lib.linkerAddFile(linker, file, null);
        if (err < 0) throw linkError(`libbpf's linker refused part ${i} (${errnoText(-err)})`);
      });
      const err = lib.linkerFinalize(linker);
      if (err < 0) throw linkError(`libbpf's linker could not finish (${errnoText(-err)})`);
    } finally {
      lib.linkerFree(linker);
    }
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A full or read-only temporary directory is the machine's state, not a compiler bug. */
function onTemp<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new TsbpfError(`cannot write the parts' objects for linking (${code})`, {
      subject: tmpdir(),
      hint: "free some space there, or point TMPDIR at a writable directory (or build in one part: --jobs 1)",
    });
  }
}

/** Parts that do not link are a bug in the compiler, never the user's mistake. */
function linkError(what: string): Error {
  return new Error(`internal compiler error: ${what}\n${takeLibbpfMessages().join("")}`);
}
