import { readFileSync } from "node:fs";
import { spanAt, type SourceSpan } from "../compiler/diagnostics.js";

/** The span of a program's declaration, for errors raised after compiling (load, attach). */
export function declarationSpan(file: string, line: number, column: number, length = 1): SourceSpan {
  try {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    return spanAt(file, text, offset, length);
  } catch {
    return { file, line, column };
  }
}
