// Source text as TypeScript's scanner sees it: tokens with the trivia between them kept as
// pieces of their own, so that joining the pieces gives the text back exactly and a mutation
// edits whole tokens rather than characters. The scanner is not the parser: `}` inside a template
// or a `/` that starts a regular expression may come out split, which only makes the pieces
// coarser or finer; the text they join back to is always the original.

import * as ts from "typescript";

export type Category = "identifier" | "typeName" | "keyword" | "operator" | "number" | "string" | "other";

export interface Piece {
  text: string;
  /** Whitespace, newlines and comments: never mutated, so the layout survives. */
  trivia: boolean;
  category: Category;
}

/** Names that stand for types in probe code; their tokens are swapped among themselves. */
export const TYPE_NAMES = new Set(["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "FixedArray", "Str", "Ptr", "UserPtr", "boolean", "void", "number", "string", "bigint", "any", "never", "unknown", "object"]);

const TRIVIA = new Set([
  ts.SyntaxKind.WhitespaceTrivia,
  ts.SyntaxKind.NewLineTrivia,
  ts.SyntaxKind.SingleLineCommentTrivia,
  ts.SyntaxKind.MultiLineCommentTrivia,
  ts.SyntaxKind.ShebangTrivia,
  ts.SyntaxKind.ConflictMarkerTrivia,
]);

export function categoryOf(kind: ts.SyntaxKind, text: string): Category {
  if (TYPE_NAMES.has(text)) return "typeName";
  if (kind === ts.SyntaxKind.Identifier || kind === ts.SyntaxKind.PrivateIdentifier) return "identifier";
  if (kind >= ts.SyntaxKind.FirstKeyword && kind <= ts.SyntaxKind.LastKeyword) return "keyword";
  if (kind >= ts.SyntaxKind.FirstPunctuation && kind <= ts.SyntaxKind.LastPunctuation) return "operator";
  if (kind === ts.SyntaxKind.NumericLiteral || kind === ts.SyntaxKind.BigIntLiteral) return "number";
  if (kind === ts.SyntaxKind.StringLiteral || (kind >= ts.SyntaxKind.FirstTemplateToken && kind <= ts.SyntaxKind.LastTemplateToken)) return "string";
  return "other";
}

export function tokenize(text: string): Piece[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const pieces: Piece[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const piece = text.slice(scanner.getTokenFullStart(), scanner.getTokenEnd());
    pieces.push({ text: piece, trivia: TRIVIA.has(kind), category: categoryOf(kind, piece) });
  }
  return pieces;
}

export function joinPieces(pieces: readonly Piece[]): string {
  return pieces.map((p) => p.text).join("");
}

/** Every keyword and punctuator TypeScript knows, so mutants also use ones the corpus lacks. */
export function languageTokens(): { keyword: string[]; operator: string[] } {
  const keyword: string[] = [];
  const operator: string[] = [];
  for (let k = ts.SyntaxKind.FirstKeyword; k <= ts.SyntaxKind.LastKeyword; k++) keyword.push(ts.tokenToString(k)!);
  for (let k = ts.SyntaxKind.FirstPunctuation; k <= ts.SyntaxKind.LastPunctuation; k++) {
    const s = ts.tokenToString(k);
    if (s) operator.push(s);
  }
  return { keyword, operator };
}
