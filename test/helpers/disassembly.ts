// The disassembly of a compiled object, by llvm-objdump (Debian's llvm-N packages name it
// llvm-objdump-N; the unversioned name comes only with the `llvm` metapackage).
import { execFileSync } from "node:child_process";

const OBJDUMPS = ["llvm-objdump", ...[18, 17, 16, 15, 14].map((v) => `llvm-objdump-${v}`)];

/** The disassembly of each program of `object`, by ELF section. */
export function disassembly(object: string): Map<string, string> {
  let text: string | undefined;
  for (const tool of OBJDUMPS) {
    try {
      text = execFileSync(tool, ["-d", "--no-show-raw-insn", object], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  if (text === undefined) throw new Error(`no llvm-objdump here (tried ${OBJDUMPS.join(", ")}): install llvm-14`);
  return new Map([...text.matchAll(/^Disassembly of section ([^:]+):\n([\s\S]*?)(?=^Disassembly of section |(?![\s\S]))/gm)].map((m) => [m[1], m[2]]));
}
