// The probe file each entry of the table of codes (compiler/frontend/codes.ts) stands for: its
// example inside a tracepoint's handler, or at the top level beside one.
import { PROBE_IMPORTS, type DiagnosticEntry } from "../../compiler/frontend/codes.js";

const HEADER = `import { ${PROBE_IMPORTS.join(", ")} } from "tsbpf";\n`;
const PROGRAM = (body: string) => `export const probe = tracepoint("syscalls/sys_enter_syncfs", () => {\n${body}\n});\n`;

export function probeSource(e: Pick<DiagnosticEntry, "example" | "placement">): string {
  if (e.placement === "module") return HEADER + e.example + "\n" + PROGRAM("");
  return HEADER + PROGRAM(e.example.replace(/^/gm, "  "));
}
