// The tracefs format files of the tracepoints a probe names: what D129's declarations are made
// from, and what a cached run keys its object on. Kept apart from the declarations' generator:
// a cached run reads these files and loads nothing else of it.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tracefsRoot } from "../../contract/tracefs.js";
import { localNames, namePattern } from "./probe-imports.js";

export { tracefsRoot } from "../../contract/tracefs.js";

/**
 * The tracepoints `source` names: the first argument of each `tracepoint(…)` call written as a
 * string literal (found in the text, so that a cached run need not load TypeScript; a name in a
 * comment costs one more record, nothing else).
 */
export function tracepointNames(source: string): string[] {
  const names = new Set<string>();
  const callee = namePattern(localNames(source, ["tracepoint"]));
  for (const m of source.matchAll(new RegExp(`(?<![\\w$])${callee}\\s*(?:<[^>()]*>)?\\s*\\(\\s*(["'\`])([A-Za-z0-9_]+\\/[A-Za-z0-9_.-]+)\\1`, "g"))) names.add(m[2]);
  return [...names].sort();
}

/** The format file of each of `names` this kernel has, by name; empty without a readable tracefs. */
export function tracepointFormats(names: readonly string[], root = names.length ? tracefsRoot() : undefined): Map<string, { file: string; text: string }> {
  const formats = new Map<string, { file: string; text: string }>();
  if (!root) return formats;
  for (const name of names) {
    const [category, event] = name.split("/");
    const file = join(root, "events", category, event, "format");
    try {
      formats.set(name, { file, text: readFileSync(file, "utf8") });
    } catch {
      // no such tracepoint: attaching says so, with the nearest names
    }
  }
  return formats;
}

/** Every tracepoint tracefs at `root` lists, as "category/event", sorted. */
export function tracepointEvents(root: string): string[] {
  const dirs = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
    } catch {
      return [];
    }
  };
  return dirs(join(root, "events")).flatMap((category) => dirs(join(root, "events", category)).map((event) => `${category}/${event}`));
}
