// The kernel's types as the editor's checks see them: the structs, unions and enums its
// "tsbpf/kernel" declarations name (kernel-types/vmlinux.d.ts, or the shipped snapshot), numbered
// as this machine's BTF numbers them, the BTF that `tsbpf build` reads here (TSBPF_BTF, else
// /sys/kernel/btf/vmlinux). Lowering reads a kernel struct's fields in that BTF (their sizes,
// which are bitfields) as the compiler does, so the editor reports what a build here reports.
// Read once per process, and only when a probe first uses a kernel type (about 0.2 s, D184).
// Without BTF (macOS, a container without /sys/kernel/btf) the checks still know which interfaces
// are the kernel's; lowering a field read then stops (KernelBtfMissing), and the editor says so in its log.

import type * as TS from "typescript";
import type { Btf } from "../btf/btf.js";
import { readBtf } from "../btf/btf-file.js";
import { Kind } from "../btf/btf-kinds.js";
import { nameTypes } from "../btf/type-names.js";
import type { ProbeKernelTypes } from "../kernel/kernel-declarations.js";
import { compileBtfPath } from "../kernel/kernel-request.js";

/** This machine's BTF, and the id of each struct, union and enum by the name `tsbpf types` gives it. */
interface MachineBtf {
  path: string;
  btf: Btf;
  ids: Map<string, number>;
}

/** No BTF to read here, and why. */
interface NoBtf {
  path: string;
  btf: null;
  why: string;
}

/** The machine's BTF as last read. */
let machine: MachineBtf | NoBtf | undefined;

/** This machine's BTF, read on first use; or why there is none. */
export function machineBtf(): MachineBtf | NoBtf {
  const path = compileBtfPath();
  if (machine?.path !== path) {
    try {
      const btf = readBtf(path);
      const names = nameTypes(btf);
      const ids = new Map<string, number>();
      const tagged = btf.idsOf(Kind.Struct, Kind.Union, Kind.Enum, Kind.Enum64);
      for (let i = 0; i < tagged.length; i++) {
        const id = tagged[i];
        const name = names.of[id];
        if (name !== undefined && !names.aliases.has(id) && !ids.has(name)) ids.set(name, id);
      }
      machine = { path, btf, ids };
    } catch (e) {
      machine = { path, btf: null, why: `${path}: ${(e as Error)?.message ?? e}` };
    }
  }
  return machine;
}

/** The structs and unions of the editor's kernel declarations ("tsbpf/kernel"), by declarations file. */
const kernelDeclarations = new WeakMap<TS.SourceFile, ProbeKernelTypes>();

/**
 * The kernel types of the editor's declarations file: the machine's BTF ids of the names it
 * declares (a name this kernel lacks is no kernel type, as `tsbpf build` here would refuse its
 * import), or without BTF a number for each interface, which tells the checks only which are the kernel's.
 */
export function editorKernelTypes(ts: typeof TS, declarations: TS.SourceFile): ProbeKernelTypes {
  let kernel = kernelDeclarations.get(declarations);
  if (!kernel) {
    let declared: Map<string, number> | undefined;
    const interfaceNumbers = (): Map<string, number> => {
      if (!declared) {
        declared = new Map();
        for (const statement of declarations.statements) if (ts.isInterfaceDeclaration(statement)) declared.set(statement.name.text, declared.size + 1);
      }
      return declared;
    };
    kernel = {
      text: "",
      file: declarations.fileName,
      get btf() {
        const m = machineBtf();
        return m.btf ?? undefined;
      },
      composites: {
        get(name: string) {
          const m = machineBtf();
          return m.btf === null ? interfaceNumbers().get(name) : m.ids.get(name);
        },
      },
    };
    kernelDeclarations.set(declarations, kernel);
  }
  return kernel;
}
