// `tsbpf list [pattern] [-v]`, as `bpftrace -l`: the probes this kernel offers, sorted:
// `tracepoint:<category>:<event>` from tracefs, `kprobe:<function>` (its FUNC records) and
// `rawtracepoint:<event>` from the kernel's BTF, those matching a glob (`*`, `?`). With -v, each
// tracepoint's fields, function's parameters and raw tracepoint's arguments as the generated
// declarations type them. `usdt:<binary>[:…]` lists a binary's USDT probes (usdt-list.ts).

import { release } from "node:os";
import { TsbpfError } from "../contract/errors.js";
import { nearestNames } from "../contract/nearest-names.js";
import { globMatcher } from "./attach/kernel-functions.js";
import { writeStdout } from "./stderr.js";
import { tracepointFields, tracepointNames } from "./tracepoint-list.js";

type KernelTypes = typeof import("../compiler/btf/kernel-types.js");

interface Provider {
  /** The probe type, before the first `:`. */
  type: string;
  names(): string[];
  /** With -v: the lines under each name (indented by the caller). */
  details(names: string[]): Map<string, string[]>;
}

const tracepoints: Provider = {
  type: "tracepoint",
  names: tracepointNames,
  details: (names) => new Map(names.map((n) => [n, tracepointFields(n)])),
};

/** The kernel's BTF, read once for both providers that need it. */
function kernelBtf(): { types: () => KernelTypes; load: () => import("../compiler/btf/kernel-types.js").Btf } {
  let btf: import("../compiler/btf/kernel-types.js").Btf | undefined;
  const types = () => require("../compiler/btf/kernel-types.js") as KernelTypes;
  return { types, load: () => (btf ??= types().loadBtf()) };
}

function kprobes({ types, load }: ReturnType<typeof kernelBtf>): Provider {
  return {
    type: "kprobe",
    names: () => types().functionNames(load()),
    details: (names) => {
      const prototypes = types().functionPrototypes(load(), names);
      return new Map(names.map((n) => [n, (prototypes.get(n) ?? []).flatMap((p, i) => [...(i > 0 ? ["or:"] : []), ...p.params, `returns: ${p.returns}`])]));
    },
  };
}

/**
 * `rawtracepoint:<event>` (bpftrace's name), for rawTracepoint() and tpBtf(): the kernel's
 * btf_trace_<event> typedefs; with -v, the arguments its handler reads by name (`ctx.prev`), from
 * the prototype of __traceiter_<event> without the tracepoint's own first one.
 */
function rawTracepoints({ types, load }: ReturnType<typeof kernelBtf>): Provider {
  return {
    type: "rawtracepoint",
    names: () => [...types().rawTracepointNames(load())].sort(),
    details: (names) => {
      const prototypes = types().functionPrototypes(load(), names.map((n) => `__traceiter_${n}`));
      return new Map(names.map((n) => [n, prototypes.get(`__traceiter_${n}`)?.[0]?.params.slice(1) ?? []]));
    },
  };
}

export async function listCommand(pattern: string | undefined, verbose: boolean): Promise<number> {
  const wanted = pattern === undefined || pattern === "" ? "*" : pattern;
  // A binary's USDT probes, not the kernel's: listed only when asked for by binary.
  if (wanted.startsWith("usdt:")) return (require("./usdt-list.js") as typeof import("./usdt-list.js")).listUsdt(wanted.slice("usdt:".length), verbose);
  const match = globMatcher(wanted.includes(":") ? wanted : `*:${wanted}`);
  const typeMatch = globMatcher(wanted.includes(":") ? wanted.slice(0, wanted.indexOf(":")) : "*");
  const btf = kernelBtf();
  const providers = [kprobes(btf), rawTracepoints(btf), tracepoints].filter((p) => typeMatch(p.type));
  if (!providers.length)
    throw new TsbpfError(`no probe type matches '${wanted.slice(0, wanted.indexOf(":"))}'`, { subject: wanted, hint: "tsbpf lists tracepoint:<category>:<event>, rawtracepoint:<event>, kprobe:<function>, and a binary's USDT probes with usdt:<binary>" });
  const all = providers.flatMap((p) => p.names().map((n) => ({ provider: p, name: n, full: `${p.type}:${n}` })));
  const found = all.filter((p) => match(p.full)).sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : 0));
  if (!found.length) {
    const near = nearestNames(wanted.replace(/[*?]/g, ""), all.map((p) => p.full));
    throw new TsbpfError(`no probe matches '${wanted}' on this kernel (${release()})`, {
      subject: wanted,
      hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}?` : "list them all with `tsbpf list`, or a part with a glob: `tsbpf list 'kprobe:vfs_*'`",
    });
  }
  if (!verbose) {
    writeStdout(found.map((p) => p.full + "\n").join(""));
    return 0;
  }
  const details = new Map<Provider, Map<string, string[]>>();
  for (const p of providers) details.set(p, p.details(found.filter((f) => f.provider === p).map((f) => f.name)));
  writeStdout(found.map((f) => [f.full, ...(details.get(f.provider)!.get(f.name) ?? []).map((l) => `    ${l}`)].join("\n") + "\n").join(""));
  return 0;
}
