// Where BTF comes from: the running kernel's (/sys/kernel/btf/vmlinux) or a file the user names.
// Read as a bounded regular file (a device or fifo named by mistake must not read forever), then
// parsed; every way it can fail is a TsbpfError that says what to do.

import { TsbpfError } from "../../contract/errors.js";
import { readRegularFile } from "../source-file.js";
import type { Btf } from "./btf.js";

export const KERNEL_BTF = "/sys/kernel/btf/vmlinux";

/** A vmlinux BTF is a few MB; anything this large is not one. */
const MAX_BTF_BYTES = 512 << 20;

/** The bytes of `file` (default: the running kernel's BTF), read into what `allocate` gives. */
export function readBtfBytes(file = KERNEL_BTF, allocate?: (size: number) => Buffer): Buffer {
  const notBtf = (why: string) => new TsbpfError(why, { subject: file, hint: "name a BTF file, such as /sys/kernel/btf/vmlinux" });
  return readRegularFile(file, MAX_BTF_BYTES, {
    notRegular: (directory) => notBtf(directory ? "is a directory, not a BTF file" : "is not a regular file, so not a BTF file"),
    tooLarge: (size) => notBtf(`is ${size} bytes; a kernel's BTF is a few MB`),
    unreadable: (e) => unreadable(file, e),
  }, allocate);
}

/** The parsed BTF of `file` (default: the running kernel's). */
export function readBtf(file = KERNEL_BTF): Btf {
  // The parser on demand: a cached start reads KERNEL_BTF's name only (kernel-request.ts).
  const { parseBtf } = require("./btf-parse.js") as typeof import("./btf-parse.js");
  return parseBtf(readBtfBytes(file), file);
}

function unreadable(file: string, e: unknown): TsbpfError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" && file === KERNEL_BTF)
    return new TsbpfError("this kernel has no BTF (its type information)", {
      subject: KERNEL_BTF,
      hint: "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distributions' kernels since 5.4), or name a BTF file: `tsbpf types --btf <file>`, and TSBPF_BTF=<file> for the kernel types a probe reads",
    });
  if (code === "ENOENT") return new TsbpfError("no such file", { subject: file, hint: "check the path of the BTF file" });
  if (code === "EACCES" || code === "EPERM") return new TsbpfError(`cannot read the file (permission denied, ${code})`, { subject: file, hint: "check the file's permissions (the kernel's BTF is readable by everyone on most systems)" });
  return new TsbpfError(`cannot read the file (${code ?? (e as Error).message})`, { subject: file });
}
