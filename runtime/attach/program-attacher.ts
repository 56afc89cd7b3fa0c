// The runtime's half of a program kind (the compiler's is compiler/kinds/<kind>.ts): how a loaded
// program of the kind is attached. One file per kind in this folder, listed in attach-program.ts.

import type { LoadedProgram } from "../loader.js";
import type { Link } from "./link.js";

/** What to do about a probe whose target this kernel does not have (bpftrace's `missing_probes`). */
export type MissingProbes = "error" | "warn" | "ignore";
export const MISSING_PROBES: readonly MissingProbes[] = ["error", "warn", "ignore"];

/** How `tsbpf run` or `attach()` limits what is attached. */
export interface AttachOptions {
  /** Only this process (uprobes; bpftrace's -p). */
  pid?: number;
}

export type ProgramAttacher =
  | {
      readonly kind: string;
      attach(p: LoadedProgram, file: string, opts: AttachOptions): Link;
      /** Before the object loads: what the kernel checks at load (an fentry's function) chosen, or the program left out. */
      prepare?(p: LoadedProgram): void;
      /** Why the kernel may refuse to load a program of the kind with EPERM when tsbpf has every privilege (an fentry: no trampolines). */
      readonly loadRefused?: string;
      /** `AttachOptions.pid` limits it to that process (user-space probes); other kinds fire in every process. */
      readonly limitsToPid?: true;
    }
  /** A kind the runtime does not attach on its own: what it waits for, as a user reads it. */
  | { readonly kind: string; readonly waitsFor: string };
