// KernelStack values (kstack()'s ids) as user space shows them: the frames the probe's stack map
// holds for the id, each a kernel symbol from /proc/kallsyms, innermost first; printed as
// bpftrace prints a kstack, one frame a line (D134). A type is bound to the stack map of the probe
// whose manifest it came from (each probe's types are its own objects), when the probe opens.

import type { CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { kernelSymbols } from "./kernel-symbols.js";
import type { ValueFormatter } from "./value-formats.js";

/** The addresses of stack `id`, innermost first; undefined if the map has no such stack. */
export type StackFrames = (id: bigint) => bigint[] | undefined;

const bound = new WeakMap<CType, StackFrames>();

/** Binds every KernelStack among `types` (inside structs and arrays too) to `frames`. */
export function bindKernelStacks(types: Iterable<CType>, frames: StackFrames): void {
  const visit = (t: CType): void => {
    if (t.kind === "int" && t.format === "kstack") bound.set(t, frames);
    else if (t.kind === "array") visit(t.elem);
    else if (t.kind === "struct") t.fields.forEach((f) => visit(f.type));
  };
  for (const t of types) visit(t);
}

/** bpftrace's indentation of a stack's frames. */
const FRAME_INDENT = "        ";

/**
 * The view of a KernelStack: its frames as bpftrace prints a kstack, a line each after a newline
 * (`@[\n        do_syscall_64+0x5c\n        …\n]: 3` in a map's print). An id the map no longer
 * holds, or a negative one (no stack was recorded), stays the number.
 */
export function kernelStackView(t: CType): ValueFormatter {
  return {
    show: (raw) => {
      const id = raw as bigint;
      const frames = id >= 0n ? bound.get(t)?.(id) : undefined;
      if (!frames) return id;
      const symbols = kernelSymbols();
      return `\n${frames.map((a) => FRAME_INDENT + symbols.format(a) + "\n").join("")}`;
    },
    accept: (given) => given,
    text: (shown: CValue) => String(shown),
  };
}
