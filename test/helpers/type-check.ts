// Type-checks files on disk with TypeScript's compiler API under the options probes get
// (noLib, strict), "tsbpf" resolving to the package's stdlib: what an editor would report.

import * as ts from "typescript";
import { probeCompilerOptions } from "../../compiler/frontend/checked-source.js";
import { repo } from "./tsbpf-command.js";

/** Every diagnostic of `files` (declaration files included), as "file:line:col message". */
export function typeCheckFiles(files: string[]): string[] {
  const options: ts.CompilerOptions = { ...probeCompilerOptions(ts), skipLibCheck: false, paths: { tsbpf: [repo("stdlib/index.d.ts")] } };
  const program = ts.createProgram({ rootNames: [repo("stdlib/lib.d.ts"), ...files], options });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
  });
}
