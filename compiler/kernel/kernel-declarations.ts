// Declarations of the kernel's own types that a probe names, made for each compile from the
// kernel it runs on: the records of the tracepoints it attaches to, from tracefs (D129), and the
// structs, typedefs and function prototypes it uses, from the kernel's BTF (D130). They are one
// declaration file, the module "tsbpf/kernel", which exists only in memory; the object cache keys
// on what they were made from (kernel-request.ts), so another kernel compiles anew. Only what
// the probe names is read: a probe pays for its own tracepoints and types.

import { release } from "node:os";
import { join } from "node:path";
import { TsbpfError, spanAt } from "../../contract/errors.js";
import { nearestNames } from "../../contract/nearest-names.js";
import { stdlibDir } from "../declaration-files.js";
import type { Btf } from "../btf/btf.js";
import { readBtf } from "../btf/btf-file.js";
import { kernelSubset } from "../btf/kernel-subset.js";
import { nameTypes, type TypeNames } from "../btf/type-names.js";
import { Codes } from "../frontend/codes.js";
import { readDeclarations, writeDeclarations } from "./declarations-cache.js";
import { compileBtfPath, kernelRequest, type KernelRequest } from "./kernel-request.js";
import { augmentation, IMPORTS, tracepointRecords } from "./tracepoint-records.js";
import { tracepointNames } from "./tracepoint-formats.js";

export { tracepointNames } from "./tracepoint-formats.js";

/** Where the declarations stand among tsbpf's (never on disk). */
export const KERNEL_DECLARATIONS_FILE = join(stdlibDir, "kernel", "probe-kernel-types.d.ts");

/** The kernel's types as one probe's compile knows them. */
export interface ProbeKernelTypes {
  /** The declaration file's text. */
  text: string;
  /** The kernel's BTF, where the probe uses its types. */
  btf?: Btf;
  /** The BTF id of each struct and union declared, by TypeScript name (the editor's are looked up on demand). */
  composites: Pick<ReadonlyMap<string, number>, "get">;
  /** The file that declares them, if not the compiler's own (an editor's kernel-types/vmlinux.d.ts). */
  file?: string;
}

/** The declarations for the kernel types `source` names, or undefined if it names none this kernel has. */
export function probeKernelDeclarations(file: string, source: string): (ProbeKernelTypes & { composites: ReadonlyMap<string, number> }) | undefined {
  const records = tracepointRecords(tracepointNames(source));
  const request = kernelRequest(source);
  const types = request && btfTypes(file, source, request);
  if (!records && !types) return undefined;
  const text = [
    `// The kernel's types this probe names, read by tsbpf from Linux ${release()}: its tracefs format files and its BTF.`,
    IMPORTS,
    types?.text ?? "",
    records ? augmentation(records) : "",
  ].join("\n");
  return { text, btf: types?.btf, composites: types?.composites ?? new Map() };
}

let kernelBtf: Btf | undefined;
let kernelNames: { btf: Btf; names: TypeNames } | undefined;

/** The BTF kernel types come from (the running kernel's), read once per process. */
const runningKernelBtf = (): Btf => {
  const path = compileBtfPath();
  if (kernelBtf?.file !== path) kernelBtf = readBtf(path);
  return kernelBtf;
};


function btfTypes(file: string, source: string, request: KernelRequest): { text: string; btf: Btf; composites: Map<string, number> } {
  // Read here even when the declarations are cached: lowering reads its structs' fields in it,
  // and parsing is a hot loop that must run before a build switches V8's optimiser off.
  const btf = runningKernelBtf();
  const cached = readDeclarations(request);
  if (cached) return { ...cached, btf };
  if (kernelNames?.btf !== btf) kernelNames = { btf, names: nameTypes(btf) };
  const { names } = kernelNames;
  const subset = kernelSubset(btf, names, request);
  const unknown = request.imports.find((i) => subset.missing.types.includes(i.name));
  if (unknown) {
    const near = nearestNames(unknown.name, names.types.all());
    throw new TsbpfError(`the kernel has no type '${unknown.name}' (in its BTF, ${release()})`, {
      code: Codes.unknownKernelName,
      at: spanAt(file, source, unknown.offset, unknown.name.length),
      hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : "`tsbpf types` writes every kernel type; `tsbpf list` the functions",
    });
  }
  writeDeclarations(request, subset);
  return { text: subset.text, btf, composites: subset.composites };
}
