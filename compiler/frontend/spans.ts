import type * as TS from "typescript";
import { spanAt, TsbpfError } from "../../contract/errors.js";

/** An error pointing at `node` in its source file. */
export function errorAt(node: TS.Node, code: string, message: string, hint?: string): TsbpfError {
  const sf = node.getSourceFile();
  const start = node.getStart(sf);
  return new TsbpfError(message, { code, at: spanAt(sf.fileName, sf.text, start, node.getEnd() - start), hint });
}

/** 1-based line and column of the start of `node`, for debug locations. */
export function lineColumn(node: TS.Node): { line: number; column: number } {
  const sf = node.getSourceFile();
  const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return { line: pos.line + 1, column: pos.character + 1 };
}
