// Maps keyed by stacks as folded stacks, the lines flamegraph.pl, speedscope and inferno read:
// `outermost;…;innermost count`, function names without their offsets (samples in one function
// merge), one line per distinct stack (`tsbpf run --folded`, and the flame graph's input). A
// frame with no name is its module's, `[libc.so.6]`, or `[unknown]`, as stackcollapse-perf.pl
// folds perf's.

import type { CValue } from "../../contract/c-values.js";
import type { CType } from "../../contract/c-layout.js";
import type { MapInfo } from "../../contract/manifest.js";
import type { ProbeMap } from "../maps/open-map.js";
import { isUnrecordedFrame } from "./stacks.js";

export interface FoldedStack {
  /** Outermost first. */
  frames: string[];
  count: number;
}

const isStackKey = (t: CType) => t.kind === "int" && (t.format === "kstack" || t.format === "ustack");

/** Whether a map is keyed by stacks and counts (what folded output is made of). */
export const countsStacks = (info: MapInfo): boolean => isStackKey(info.key) && info.value.kind === "int";
export const isStackCount = (map: ProbeMap): boolean => countsStacks(map.info);

/** The map's stacks, each with its count; stacks the map could not show (no id recorded) left out. */
export function foldedStacks(map: ProbeMap): FoldedStack[] {
  const out: FoldedStack[] = [];
  for (const [key, value] of map.entries() as [CValue, CValue][]) {
    if (typeof key !== "string") continue; // a stack map that no longer holds the id
    const frames = key
      .split("\n")
      .map((f) => f.trim())
      .filter((f) => f !== "" && !isUnrecordedFrame(f))
      .map(folded)
      .reverse();
    if (!frames.length) continue;
    out.push({ frames, count: Number(Array.isArray(value) ? value.reduce((a, b) => (a as bigint) + (b as bigint), 0n) : value) });
  }
  return out;
}

/**
 * A frame as folded: `name+28` → `name`; `0x7f… (/usr/lib/…/libc.so.6)` → `[libc.so.6]`;
 * `0x55… ([unknown])` → `[unknown]`. A `;` inside a name (a Rust array type, `[u8; 4]`) would
 * split the frame in two: it becomes `:`, as inferno's collapsers write it.
 */
export function folded(frame: string): string {
  const address = /^0x[0-9a-f]+(?: \((?:.*\/)?\[?([^\]/]*)\]?\))?$/.exec(frame);
  if (address) return `[${address[1] || "unknown"}]`;
  return frame.replace(/\+\d+$/, "").replace(/;/g, ":");
}

/** The folded lines: one per distinct stack, counts of stacks that fold alike added up. */
export function foldedText(stacks: readonly FoldedStack[]): string {
  const counts = new Map<string, number>();
  for (const s of stacks) {
    const line = s.frames.join(";");
    counts.set(line, (counts.get(line) ?? 0) + s.count);
  }
  return [...counts].map(([line, n]) => `${line} ${n}\n`).join("");
}
