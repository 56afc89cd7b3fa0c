// `tsbpf inspect <probe.ts | object.bpf.o>`: a probe is compiled (or taken from the cache) and
// shown with its manifest; any other file is read as a BPF object, and shown from what it holds.

import type { CompileOptions } from "../../compiler/compile.js";
import { TsbpfError } from "../../contract/errors.js";
import { readRegularFile } from "../../compiler/btf/kernel-types.js";
import { writeStdout } from "../stderr.js";
import { BpfObject } from "./bpf-object.js";
import { NotBpfObject } from "./bpf-elf.js";
import { inspectText, type Manifest } from "./inspect-text.js";

/** Far above any BPF object (the largest here are a few hundred kB). */
const MAX_OBJECT_BYTES = 256 << 20;

const OBJECT_HINT = "tsbpf inspect reads a probe (.ts) or a BPF object (.bpf.o, as `tsbpf build` or `clang -target bpf -c` write it)";

export async function inspectCommand(file: string, opts: Pick<CompileOptions, "cpu">): Promise<number> {
  writeStdout(await inspect(file, opts));
  return 0;
}

/** The text `tsbpf inspect` prints for `file`. */
export async function inspect(file: string, opts: Pick<CompileOptions, "cpu"> = {}): Promise<string> {
  if (/\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) {
    const { compileAsync } = require("../../compiler/compile.js") as typeof import("../../compiler/compile.js");
    const compiled = await compileAsync(file, { cpu: opts.cpu });
    const manifest: Manifest = { file: compiled.file, programs: compiled.programs, maps: compiled.maps, params: compiled.params };
    return inspectText(objectOf(compiled.object, compiled.file), manifest);
  }
  return inspectText(objectOf(readObjectFile(file), file));
}

function objectOf(bytes: Buffer, file: string): BpfObject {
  try {
    return new BpfObject(bytes, file);
  } catch (e) {
    if (e instanceof NotBpfObject) throw new TsbpfError(`is not a BPF object: ${e.message}`, { subject: file, hint: OBJECT_HINT });
    throw e;
  }
}

function readObjectFile(file: string): Buffer {
  return readRegularFile(file, MAX_OBJECT_BYTES, {
    notRegular: (directory) => new TsbpfError(directory ? "is a directory, not a BPF object" : "is not a regular file, so not a BPF object", { subject: file, hint: OBJECT_HINT }),
    tooLarge: (size) => new TsbpfError(`is ${size} bytes; a BPF object is at most a few MB`, { subject: file, hint: OBJECT_HINT }),
    unreadable: (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      return new TsbpfError(code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (e as Error).message})`, { subject: file, hint: code === "ENOENT" ? "check the path" : OBJECT_HINT });
    },
  });
}
