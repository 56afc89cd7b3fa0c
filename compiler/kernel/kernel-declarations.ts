// Declarations of the kernel's own types that a probe names, made for each compile from the
// kernel it runs on (D129): today the records of the tracepoints it attaches to, from tracefs.
// They join the probe's TypeScript program as one more of tsbpf's declaration files, which
// exists only in memory; the object cache keys on their text, so a kernel whose records differ
// compiles anew. Only what the probe names is read: a probe pays for its own tracepoints.

import { release } from "node:os";
import { join } from "node:path";
import { stdlibDir } from "../declaration-files.js";
import { parseFormat, recordInterface } from "./tracepoint-fields.js";
import { tracefsRoot, tracepointEvents, tracepointFormats, tracepointNames } from "./tracepoint-formats.js";

export { tracepointNames } from "./tracepoint-formats.js";

/** Where the declarations stand among tsbpf's (never on disk). */
export const KERNEL_DECLARATIONS_FILE = join(stdlibDir, "kernel", "probe-kernel-types.d.ts");

/** The record's interface name: bcc's name for the same struct. */
const recordName = (category: string, event: string) => `tracepoint__${category}__${event.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** The declarations for the kernel types `source` names, or undefined if it names none this kernel has. */
export function probeKernelDeclarations(source: string): string | undefined {
  return tracepointDeclarations(tracepointNames(source), "this probe names");
}

/**
 * Every tracepoint's record, for the editor (`tsbpf types`): what the compiler makes for the
 * tracepoints each probe names. Undefined without a readable tracefs.
 */
export function allTracepointDeclarations(): { text: string; count: number } | undefined {
  const root = tracefsRoot();
  if (!root) return undefined;
  const text = tracepointDeclarations(tracepointEvents(root), "this kernel has", root);
  return text === undefined ? undefined : { text, count: (text.match(/^ {4}"/gm) ?? []).length };
}

/** The records of the tracepoints `names` (those this kernel has a format for), as one declaration file. */
function tracepointDeclarations(names: readonly string[], which: string, root?: string): string | undefined {
  const records: { name: string; iface: string; text: string }[] = [];
  for (const [name, format] of tracepointFormats(names, root)) {
    const fields = parseFormat(format.text);
    if (!fields) continue;
    const [category, event] = name.split("/");
    const iface = recordName(category, event);
    records.push({ name, iface, text: recordInterface(iface, category, fields, format.file) });
  }
  if (!records.length) return undefined;
  return [
    `// The records of the tracepoints ${which}, read from its tracefs format files by tsbpf (Linux ${release()}).`,
    'import type { u8, u16, u32, u64, i8, i16, i32, i64, Ptr, UserPtr, FixedArray, Str } from "tsbpf";',
    'declare module "tsbpf" {',
    ...records.map((r) => r.text.replace(/^/gm, "  ")),
    "  interface TracepointFields {",
    ...records.map((r) => `    ${JSON.stringify(r.name)}: ${r.iface};`),
    "  }",
    "}",
    "",
  ].join("\n");
}
