// The kernel functions a probe may name, for choosing among alternatives, expanding a pattern
// and the error that names one the kernel does not have (with the nearest it has). A kprobe's
// are the functions ftrace lists (available_filter_functions: what the kernel lets kprobes and
// kprobe_multi trace), or where that cannot be read, the code symbols of /proc/kallsyms; an
// fentry's, the functions in the kernel's BTF (the trampoline is checked against them).

import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { TsbpfError } from "../../contract/errors.js";
import type { ProgramInfo } from "../../contract/manifest.js";
import { tracefsRoot } from "../../contract/tracefs.js";
import { declarationSpan } from "../source-span.js";
import { nearestNames } from "../../contract/nearest-names.js";

export interface FunctionNames {
  readonly names: ReadonlySet<string>;
  /** Where they come from, as the error says it. */
  readonly source: string;
}

let probeable: FunctionNames | undefined;

/** The functions kprobes can attach to, read once per process. */
export function probeableFunctions(): FunctionNames {
  return (probeable ??= readProbeable());
}

function readProbeable(): FunctionNames {
  const root = tracefsRoot();
  const filter = root && `${root}/available_filter_functions`;
  try {
    if (filter) {
      // "name" or "name [module]", one a line.
      const names = readFileSync(filter, "latin1").split("\n").map((l) => l.split(" ")[0]).filter(Boolean);
      if (names.length) return { names: new Set(names), source: filter };
    }
  } catch {
    // not readable (lockdown, no ftrace): kallsyms says which functions exist
  }
  try {
    const names = new Set<string>();
    for (const m of readFileSync("/proc/kallsyms", "latin1").matchAll(/^\S+ [tT] ([^\s.]+)/gm)) if (!m[1].startsWith("__pfx_")) names.add(m[1]);
    return { names, source: "/proc/kallsyms" };
  } catch (e) {
    throw new TsbpfError(`cannot read the kernel's functions (/proc/kallsyms: ${(e as NodeJS.ErrnoException).code ?? e})`, {
      subject: "kernel functions",
      hint: "run as root, on a kernel with CONFIG_KALLSYMS",
    });
  }
}

/** The functions in the kernel's BTF, which fentry and fexit can attach to. */
export function btfFunctions(): FunctionNames {
  const btf = require("../../compiler/btf/kernel-types.js") as typeof import("../../compiler/btf/kernel-types.js");
  return { names: new Set(btf.functionNames(btf.loadBtf())), source: "the kernel's BTF (/sys/kernel/btf/vmlinux)" };
}

/** A test for a glob: `*` any run of characters, `?` one. */
export function globMatcher(glob: string): (name: string) => boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "s");
  return (name) => re.test(name);
}

/** The target a probe tries: a name, a list's first the kernel has, or a pattern's matches. */
export function targetsOf(info: ProgramInfo): string[] {
  return info.alternatives ?? [info.target];
}

/**
 * A probe whose kernel function (or every alternative, or every match of its pattern) this
 * kernel does not have. What `--missing-probes` decides about: an error, a warning or nothing.
 */
export class MissingProbe extends TsbpfError {}

/**
 * The error for `wanted`, none of which `known` has (`what`: "kernel function", "system call"),
 * at the target in the source, with the nearest names the kernel has.
 */
export function missingProbe(info: ProgramInfo, file: string, known: FunctionNames, what: string): MissingProbe {
  const wanted = targetsOf(info);
  // The nearest names of each wanted one in turn: every alternative gets its best suggestion.
  const each = wanted.map((w) => nearestNames(w.replace(/[*?]/g, ""), known.names));
  const near = [...new Set(each.flatMap((_, i) => each.map((n) => n[i])).filter((n) => n !== undefined))].slice(0, 3);
  const on = `on this kernel (${release()})`;
  const message =
    wanted.length > 1
      ? `none of the ${what}s ${wanted.map((w) => `'${w}'`).join(", ")} exists ${on}`
      : /[*?]/.test(info.target)
        ? `no ${what} matches '${info.target}' ${on}`
        : `${what} '${info.target}' does not exist ${on}`;
  return new MissingProbe(`${info.kind}: ${message}`, {
    at: declarationSpan(file, info.targetAt.line, info.targetAt.column, info.targetAt.length),
    hint: `${near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}? ` : ""}this kernel's ${what}s are those of ${known.source}; a probe on one that only some kernels have can be { optional: true }, or run with --missing-probes=warn`,
  });
}

/** Whether this kernel can attach kprobes: a kprobe PMU, or tracefs's kprobe_events (CONFIG_KPROBES, CONFIG_KPROBE_EVENTS). */
export function kernelHasKprobes(): boolean {
  const root = tracefsRoot();
  return existsSync("/sys/bus/event_source/devices/kprobe/type") || (root !== undefined && existsSync(`${root}/kprobe_events`));
}
