// Stacks (kstack()'s KernelStack, ustack()'s UserStack) as user space shows them: the frames the
// probe's stack map holds for the id, innermost first, each a symbol (kernel ones from
// /proc/kallsyms, user ones from the process's mapped binaries: user-symbols.ts); printed as
// bpftrace prints a stack, one frame a line (D134). A type is bound to the stack map of the probe
// whose manifest it came from (each probe's types are its own objects), when the probe opens.

import type { CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { STACK_ENTRIES, userStackId } from "../../contract/manifest.js";
import { formatResult } from "./errno.js";
import { kernelSymbols } from "./kernel-symbols.js";
import type { StackFrames } from "./user-symbols.js";
import type { ValueFormatter } from "./value-formats.js";

/** A stack's value (a KernelStack's id; a UserStack's process and id) as its frames' names, innermost first; undefined if the map has no such stack. */
export type StackNames = (value: bigint) => string[] | undefined;

const bound = new WeakMap<CType, StackNames>();

/** A kernel stack map's ids as their frames' names, from /proc/kallsyms, as bpftrace writes a frame (`do_syscall_64+506`). */
export const kernelStackNames =
  (frames: StackFrames): StackNames =>
  (id) =>
    frames(id)?.map((a) => kernelSymbols().frame(a));

/** Binds every stack of `format` among `types` (inside structs and arrays too) to `frames`. */
export function bindStacks(types: Iterable<CType>, format: "kstack" | "ustack", frames: StackNames): void {
  const visit = (t: CType): void => {
    if (t.kind === "int" && t.format === format) bound.set(t, frames);
    else if (t.kind === "array") visit(t.elem);
    else if (t.kind === "struct") t.fields.forEach((f) => visit(f.type));
  };
  for (const t of types) visit(t);
}

/** bpftrace v0.17's indentation of a stack's frames. */
const FRAME_INDENT = "    ";

const EFAULT = 14n;
const E2BIG = 7n;
const UNRECORDED = "[no stack recorded: ";

/** Why a stack was not recorded, as a frame line: its id is the error the probe met (compiler/lower/stack-traces.ts). */
function unrecorded(user: boolean, id: bigint): string {
  if (id === -EFAULT) return `${UNRECORDED}${user ? "a kernel thread, which has no user stack" : "the CPU was running user code"}]`;
  if (id === -E2BIG) return `${UNRECORDED}the stack map was full, at ${STACK_ENTRIES} distinct stacks]`;
  return `${UNRECORDED}recording it failed with ${formatResult(id)}]`;
}

/** Whether a frame line is the note of a stack not recorded (folded output leaves those out, as before). */
export const isUnrecordedFrame = (frame: string): boolean => frame.startsWith(UNRECORDED);

/**
 * The view of a stack: its frames as bpftrace v0.17 prints a stack, a line each after a newline,
 * offsets in decimal (`@[\n    do_syscall_64+92\n    …\n]: 3` in a map's print, D170). An id the
 * map no longer holds, or none recorded, stays the number.
 */
export function stackView(t: CType): ValueFormatter {
  const user = t.kind === "int" && t.format === "ustack";
  return {
    show: (raw) => {
      const value = raw as bigint;
      const id = user ? userStackId(value) : value;
      const recorded = id >= 0n;
      const frames = recorded ? bound.get(t)?.(value) : undefined;
      // Said in words, not left a number that reads like an id: the probe recorded no stack.
      if (!recorded) return `\n${FRAME_INDENT}${unrecorded(user, id)}\n`;
      if (!frames) return value;
      return `\n${frames.map((name) => FRAME_INDENT + name + "\n").join("")}`;
    },
    accept: (given) => given,
    text: (shown: CValue) => String(shown),
  };
}
