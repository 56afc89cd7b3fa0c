// `tsbpf types [-o dir] [--btf file]`: the kernel's types as TypeScript declarations, written to
// <dir>/vmlinux.d.ts (whole or not at all: compiler/output-file.ts), for the editor and probes.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TsbpfError } from "../contract/errors.js";
import { writeStderr } from "./stderr.js";

export const DEFAULT_TYPES_DIR = "kernel-types";

export async function kernelTypesCommand(dir: string, btfFile: string | undefined): Promise<number> {
  // The running kernel's tracepoint records (a --btf file says nothing of them): `ctx` typed in the editor,
  // made on another thread meanwhile (its module, and Node's worker_threads, loaded only then), started
  // first: a thread takes 60–100 ms to start.
  const thread = btfFile === undefined ? (require("./tracepoint-records-thread.js") as typeof import("./tracepoint-records-thread.js")) : undefined;
  const tracepointRecords = thread?.tracepointRecordsSoon();
  const { kernelTypes, writeOutput, KERNEL_BTF } = require("../compiler/btf/kernel-types.js") as typeof import("../compiler/btf/kernel-types.js");
  const types = kernelTypes(btfFile);
  makeDirectory(dir);
  const out = join(dir, "vmlinux.d.ts");
  writeOutput(out, types.bytes, btfFile ?? KERNEL_BTF);
  const c = types.counts;
  const total = c.structs + c.unions + c.enums + c.typedefs;
  writeStderr(
    `tsbpf: wrote ${out}: ${total} types (${c.structs} structs, ${c.unions} unions, ${c.enums} enums, ${c.typedefs} typedefs) and ${c.functions} functions, from ${types.source}\n`,
  );
  const tracepoints = await tracepointRecords?.();
  if (tracepoints) {
    const file = join(dir, "tracepoints.d.ts");
    writeOutput(file, tracepoints.text, "tracefs");
    writeStderr(`tsbpf: wrote ${file}: the records of ${tracepoints.count} tracepoints, from tracefs\n`);
  } else if (btfFile === undefined) writeStderr("tsbpf: no tracepoint records written: tracefs is not mounted or not readable (as root it is)\n");
  return 0;
}

/** The output directory, made if missing (one level: its parent must exist). */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    const why = code === "ENOENT" ? "its parent directory does not exist" : code === "EACCES" || code === "EPERM" ? "permission denied" : code;
    throw new TsbpfError(`cannot make the output directory: ${why}`, { subject: dir, hint: "name another directory with -o, or create it first" });
  }
}
