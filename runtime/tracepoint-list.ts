// The kernel's tracepoints as tracefs lists them (events/<category>/<event>/), and the fields of
// one from its `format` file, as `tsbpf list -v` (like `bpftrace -lv`) prints them.

import { readdirSync, readFileSync } from "node:fs";
import { ensureTracefs } from "./tracefs.js";

/** "category:event" of every tracepoint, unsorted. */
export function tracepointNames(): string[] {
  const events = `${ensureTracefs()}/events`;
  const out: string[] = [];
  for (const category of readdirSync(events, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const event of readdirSync(`${events}/${category.name}`, { withFileTypes: true })) if (event.isDirectory()) out.push(`${category.name}:${event.name}`);
  }
  return out;
}

/**
 * The fields of tracepoint "category:event" after the common ones, each as its C declaration
 * (`const char * filename`, `__data_loc char[] name`); empty if the format cannot be read.
 */
export function tracepointFields(name: string): string[] {
  let format: string;
  try {
    format = readFileSync(`${ensureTracefs()}/events/${name.replace(":", "/")}/format`, "utf8");
  } catch {
    return [];
  }
  const fields: string[] = [];
  for (const m of format.matchAll(/^\s*field:([^;]*);/gm)) {
    const declaration = m[1].trim();
    if (!/\bcommon_\w+$/.test(declaration)) fields.push(declaration);
  }
  return fields;
}
