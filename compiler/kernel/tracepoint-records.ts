// The records of tracepoints as TypeScript (tracepoint-fields.ts makes each one's interface):
// those a probe names, for its compile (kernel-declarations.ts), and every one this kernel has,
// for the editor (`tsbpf types`' tracepoints.d.ts, made on a thread of its own: this module
// loads nothing of the compiler's but the format files' reader, D204).

import { release } from "node:os";
import { parseFormat, recordInterface } from "./tracepoint-fields.js";
import { tracefsRoot, tracepointEvents, tracepointFormats } from "./tracepoint-formats.js";

export const IMPORTS = 'import type { u8, u16, u32, u64, i8, i16, i32, i64, Ptr, UserPtr, FixedArray, Str } from "tsbpf";';

/**
 * Every tracepoint's record, for the editor (`tsbpf types`): what the compiler makes for the
 * tracepoints each probe names. Undefined without a readable tracefs.
 */
export function allTracepointDeclarations(): { text: string; count: number } | undefined {
  const root = tracefsRoot();
  if (!root) return undefined;
  const records = tracepointRecords(tracepointEvents(root), root);
  if (!records) return undefined;
  const text = [`// The records of the tracepoints this kernel has, read from its tracefs format files by tsbpf (Linux ${release()}).`, IMPORTS, augmentation(records), ""].join("\n");
  return { text, count: records.length };
}

export interface TracepointRecordText {
  name: string;
  iface: string;
  text: string;
}

/** The record's interface name: bcc's name for the same struct. */
const recordName = (category: string, event: string) => `tracepoint__${category}__${event.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** The records of the tracepoints `names` (those this kernel has a format for). */
export function tracepointRecords(names: readonly string[], root?: string): TracepointRecordText[] | undefined {
  const records: TracepointRecordText[] = [];
  for (const [name, format] of tracepointFormats(names, root)) {
    const fields = parseFormat(format.text);
    if (!fields) continue;
    const [category, event] = name.split("/");
    const iface = recordName(category, event);
    records.push({ name, iface, text: recordInterface(iface, category, fields, format.file) });
  }
  return records.length ? records : undefined;
}

export function augmentation(records: TracepointRecordText[]): string {
  return [
    'declare module "tsbpf" {',
    ...records.map((r) => r.text.replace(/^/gm, "  ")),
    "  interface TracepointFields {",
    ...records.map((r) => `    ${JSON.stringify(r.name)}: ${r.iface};`),
    "  }",
    "}",
    "",
  ].join("\n");
}
