// Spans in the probe's source for errors raised after compiling (load, attach), which know a
// line (and column) but not the TypeScript node.
import { readFileSync } from "node:fs";
import { lineStart, spanAt, type SourceSpan } from "../contract/errors.js";

/** The file's text and where 1-based `line` starts in it; undefined if the file is gone. */
function locate(file: string, line: number): { text: string; lineStart: number; lineText: string } | undefined {
  try {
    const text = readFileSync(file, "utf8");
    const start = lineStart(text, line);
    const end = text.indexOf("\n", start);
    return { text, lineStart: start, lineText: text.slice(start, end < 0 ? text.length : end) };
  } catch {
    return undefined;
  }
}

/** The span of a program's declaration. */
export function declarationSpan(file: string, line: number, column: number, length = 1): SourceSpan {
  const at = locate(file, line);
  return at ? spanAt(file, at.text, at.lineStart + column - 1, length) : { file, line, column };
}

/**
 * Where an instruction's line info points: from `column` to the end of the statement or clause
 * on that line (the next `;`, `{` or comment), less trailing blanks; the line info has no end.
 */
export function columnSpan(file: string, line: number, column: number): SourceSpan {
  const at = locate(file, line);
  if (!at || column < 1 || column > at.lineText.trimEnd().length) return lineSpan(file, line);
  const rest = at.lineText.slice(column - 1);
  const end = rest.search(/;|\{|\/\/|\/\*/);
  const length = (end <= 0 ? rest : rest.slice(0, end)).trimEnd().length;
  return spanAt(file, at.text, at.lineStart + column - 1, Math.max(1, length));
}

/** A whole line, less its indentation (the verifier log names lines, not columns). */
export function lineSpan(file: string, line: number): SourceSpan {
  const at = locate(file, line);
  if (!at) return { file, line, column: 1 };
  const indent = at.lineText.length - at.lineText.trimStart().length;
  return spanAt(file, at.text, at.lineStart + indent, Math.max(1, at.lineText.trim().length));
}
