// How deeply a probe file may nest. TypeScript's parser and checker, and tsbpf's own passes,
// recurse over the syntax tree: a file nested a few hundred levels deep would exhaust Node's
// stack somewhere in them. People write a few dozen levels at most; past the limits below the
// file gets one clear error at the place that goes too deep, before any recursive pass runs.

import type * as TS from "typescript";
import { spanAt, TsbpfError } from "../../contract/errors.js";
import { Codes } from "./codes.js";

/** Brackets ( [ { open at once: checked on tokens, before TypeScript's parser recurses into them. */
export const MAX_BRACKETS = 200;
/** Depth of the syntax tree (a sum of N terms is N deep, an `if` inside a block two levels). */
export const MAX_DEPTH = 400;

const HINT = "split the expression or the nesting into smaller pieces: local variables, early returns, or top-level functions";

function tooDeep(file: string, text: string, offset: number, message: string): TsbpfError {
  return new TsbpfError(message, {
    code: Codes.nestingTooDeep,
    at: spanAt(file, text, offset, 1),
    hint: HINT,
  });
}

/**
 * Walks the brackets ( [ { and `${` with the scanner (which does not recurse) until `stop` says
 * so; returns the deepest point seen.
 */
function walkBrackets(ts: typeof TS, text: string, stop: (depth: number) => boolean): { depth: number; offset: number } {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, text);
  const K = ts.SyntaxKind;
  let depth = 0;
  let deepest = { depth: 0, offset: 0 };
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    // A template's `${` is closed by the `}` the scanner returns as a CloseBraceToken.
    if (token === K.OpenParenToken || token === K.OpenBracketToken || token === K.OpenBraceToken || token === K.TemplateHead) {
      if (++depth > deepest.depth) deepest = { depth, offset: scanner.getTokenStart() };
      if (stop(depth)) break;
    } else if (token === K.CloseParenToken || token === K.CloseBracketToken || token === K.CloseBraceToken) depth = Math.max(0, depth - 1);
  }
  return deepest;
}

/** Refuses brackets nested deeper than MAX_BRACKETS, before TypeScript's parser recurses into them. */
export function checkBracketNesting(ts: typeof TS, file: string, text: string): void {
  const deepest = walkBrackets(ts, text, (depth) => depth > MAX_BRACKETS);
  if (deepest.depth > MAX_BRACKETS) throw tooDeep(file, text, deepest.offset, `brackets nested more than ${MAX_BRACKETS} deep; tsbpf compiles at most ${MAX_BRACKETS}`);
}

/** The deepest node of the tree (walked with an explicit stack), or the first deeper than `limit`. */
function deepestNode(ts: typeof TS, source: TS.SourceFile, limit = Infinity): { node: TS.Node; depth: number } {
  let deepest: { node: TS.Node; depth: number } = { node: source, depth: 0 };
  const stack: [TS.Node, number][] = [[source, 0]];
  while (stack.length && deepest.depth <= limit) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest.depth) deepest = { node, depth };
    ts.forEachChild(node, (child) => {
      stack.push([child, depth + 1]);
    });
  }
  return deepest;
}

/** Refuses a syntax tree deeper than MAX_DEPTH. */
export function checkTreeDepth(ts: typeof TS, source: TS.SourceFile): void {
  const { node, depth } = deepestNode(ts, source, MAX_DEPTH);
  if (depth > MAX_DEPTH) throw tooDeep(source.fileName, source.text, node.getStart(source), `this is nested more than ${MAX_DEPTH} levels deep; tsbpf compiles at most ${MAX_DEPTH}`);
}

/** Whether `e` is V8's stack overflow (the backstop: any recursion these limits did not foresee). */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** The error for a stack overflow in a pass over `source`: at its deepest node. */
export function stackOverflowError(ts: typeof TS, source: TS.SourceFile): TsbpfError {
  const { node, depth } = deepestNode(ts, source);
  return tooDeep(source.fileName, source.text, node.getStart(source), `this is nested ${depth} levels deep, too deep to compile`);
}

/** The error for a stack overflow in TypeScript's parser: at the deepest bracket, if any. */
export function parserOverflowError(ts: typeof TS, file: string, text: string): TsbpfError {
  const deepest = walkBrackets(ts, text, () => false);
  return tooDeep(file, text, deepest.offset, "this file is nested too deeply for TypeScript's parser");
}
