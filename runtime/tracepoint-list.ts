// The kernel's tracepoints as tracefs lists them (events/<category>/<event>/), and the fields of
// one from its `format` file, as `tsbpf list -v` (like `bpftrace -lv`) prints them: read by the
// compiler's own reader of tracefs (compiler/kernel/, what types a tracepoint's ctx).

import { readFileSync } from "node:fs";
import { ensureTracefs } from "./tracefs.js";

const kernelTypes = () => require("../compiler/btf/kernel-types.js") as typeof import("../compiler/btf/kernel-types.js");

/** "category:event" of every tracepoint. */
export function tracepointNames(): string[] {
  return kernelTypes()
    .tracepointEvents(ensureTracefs())
    .map((name) => name.replace("/", ":"));
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
  return (kernelTypes().parseFormat(format) ?? []).filter((f) => !f.name.startsWith("common_")).map((f) => f.declaration);
}
