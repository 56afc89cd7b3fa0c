// What a probe asks of the kernel's types, found in its text (no TypeScript: a cached run reads
// this too): the names it imports from "tsbpf/kernel", the functions and raw tracepoints it
// attaches to, the names it uses after a `.`, whether it calls currentTask(). A name in a comment costs a declaration,
// nothing else (kernel-subset.ts declares what this asks for).

import { statSync } from "node:fs";
import { release, version } from "node:os";
import { KERNEL_BTF } from "../btf/btf-file.js";
import type { SubsetRequest } from "../btf/kernel-subset.js";
import { importedNames, localNames, namePattern, type ImportedName } from "./probe-imports.js";
import { tracepointFormats, tracepointNames } from "./tracepoint-formats.js";

/** The module of the kernel's types, as a probe imports it. */
export const KERNEL_MODULE = "tsbpf/kernel";

/** kprobe("fn", …), fexit(["a", "b"], …): the functions whose prototypes type a handler (under the names the probe imports them as). */
const functionProbe = (source: string) =>
  new RegExp(`(?<![\\w$])${namePattern(localNames(source, ["kprobe", "kretprobe", "fentry", "fexit"]))}\\s*(?:<[^>()]*>)?\\s*\\(\\s*(\\[[^\\]]*\\]|(["'\`])[A-Za-z0-9_.]+\\2)`, "g");
/** bcc's sugar: `export function kprobe__fuse_open(…)`. */
const SUGAR = /\bfunction\s+(?:kprobe|kretprobe)__([A-Za-z0-9_]+)/g;
const PROPERTY = /\.\s*([A-Za-z_$][\w$]*)/g;
/** rawTracepoint("sched_switch", …), tpBtf(…): the raw tracepoints whose arguments type a handler. */
const rawTracepoint = (source: string) => new RegExp(`(?<![\\w$])${namePattern(localNames(source, ["rawTracepoint", "tpBtf"]))}\\s*\\(\\s*(["'\`])([A-Za-z0-9_]+)\\1`, "g");

export interface KernelRequest extends SubsetRequest {
  imports: ImportedName[];
}

/** What `source` asks of the kernel's types; undefined if nothing. */
export function kernelRequest(source: string): KernelRequest | undefined {
  const imports = importedNames(source, KERNEL_MODULE);
  const functions = new Set<string>();
  for (const m of source.matchAll(functionProbe(source))) for (const s of m[1].matchAll(/["'`]([A-Za-z0-9_.]+)["'`]/g)) if (!s[1].includes("*")) functions.add(s[1]);
  for (const m of source.matchAll(SUGAR)) functions.add(m[1]);
  const task = /\bcurrentTask\s*\(/.test(source);
  const rawTracepoints = [...new Set([...source.matchAll(rawTracepoint(source))].map((m) => m[2]))].sort();
  if (!imports.length && !functions.size && !task && !rawTracepoints.length) return undefined;
  const properties = new Set<string>();
  for (const m of source.matchAll(PROPERTY)) properties.add(m[1]);
  return { imports, types: [...new Set(imports.map((i) => i.name))], functions: [...functions].sort(), properties, task, rawTracepoints };
}

/**
 * What a probe's object depends on of this kernel: the format files of the tracepoints it names
 * (D129), and which kernel's BTF its kernel types came from (its release, build and BTF size).
 */
export function kernelKey(source: string): string {
  const formats = [...tracepointFormats(tracepointNames(source))].map(([name, f]) => `${name}\n${f.text}`).join("\0");
  return kernelRequest(source) ? `${formats}\0${btfIdentity()}` : formats;
}

/**
 * The BTF a probe's kernel types come from: the running kernel's, or the file TSBPF_BTF names
 * (another kernel's, to build on one machine for another: libbpf relocates on the target anyway).
 */
export const compileBtfPath = (): string => process.env.TSBPF_BTF || KERNEL_BTF;

/** Which kernel's BTF this is: its release and build (or the file's path and time), and its size. */
export function btfIdentity(): string {
  const path = compileBtfPath();
  try {
    const st = statSync(path);
    return path === KERNEL_BTF ? `${release()} ${version()} ${st.size}` : `${path} ${st.mtimeMs} ${st.size}`;
  } catch {
    return "no BTF";
  }
}
