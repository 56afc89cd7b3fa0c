// A probe project set up as docs/editor.md says, for tests of what the editor shows: the tsconfig
// the page tells users to write, and the kernel's types as `tsbpf types` writes them.
import { readFileSync } from "node:fs";
import { kernelSubset } from "../../compiler/btf/kernel-subset.js";
import { loadBtf } from "../../compiler/btf/kernel-types.js";
import { IMPORTED, nameTypes } from "../../compiler/btf/type-names.js";
import { repo } from "./tsbpf-command.js";

/** The first ```jsonc block of docs/editor.md: the tsconfig.json it tells users to write. */
export function documentedTsconfig(): string {
  const block = /```jsonc\n([\s\S]*?)```/.exec(readFileSync(repo("docs/editor.md"), "utf8"));
  if (!block) throw new Error("docs/editor.md has no ```jsonc block");
  return block[1];
}

/**
 * kernel-types/vmlinux.d.ts for `probes`: kernelSubset()'s, the same generator as `tsbpf types`
 * (same names, same shape, the same augmentation of "tsbpf"), declaring only what the probes reach
 * (the whole vmlinux costs the language service 6–10 s to bind, D139).
 * TSBPF_EDITOR_VMLINUX=stdlib/kernel/vmlinux.d.ts uses a whole module instead.
 */
export function kernelTypesText(probes: readonly string[]): string {
  const whole = process.env.TSBPF_EDITOR_VMLINUX;
  if (whole) return readFileSync(whole, "utf8");
  const btf = loadBtf();
  const properties = new Set<string>();
  for (const text of probes) for (const m of text.matchAll(/\.\s*([A-Za-z_$][\w$]*)/g)) properties.add(m[1]);
  const subset = kernelSubset(btf, nameTypes(btf), { types: ["task_struct", "file"], functions: ["vfs_read", "vfs_write"], properties, task: true, rawTracepoints: ["sched_switch"] });
  expect(subset.missing).toEqual({ types: [], functions: [] });
  return `import type { ${IMPORTED.join(", ")} } from "tsbpf";\n${subset.text}`;
}
