// Renders the table of diagnostic codes (compiler/frontend/codes.ts) into docs/language.md,
// between its marker comments. Usage: npm run docs:codes

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { diagnosticTable, type DiagnosticEntry } from "../compiler/frontend/codes.js";
import { packageRoot } from "../contract/paths.js";

export const LANGUAGE_DOC = join(packageRoot, "docs", "language.md");
const START = "<!-- codes:start -->";
const NOTE = "<!-- generated from compiler/frontend/codes.ts by `npm run docs:codes`: edit the table there -->";
const END = "<!-- codes:end -->";

/** A table cell: a pipe would end the cell, a newline the row. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** Code in a cell, shown on one line; backticks inside get a longer fence. */
function codeCell(source: string): string {
  const text = cell(source);
  const fence = text.includes("``") ? "```" : text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function row(e: DiagnosticEntry): string {
  return `| ${e.code} | ${cell(e.refuses)} | ${codeCell(e.shownAs ?? e.example)} | ${cell(e.hint)} |`;
}

/** The markdown table, marker comments included. */
export function renderCodesTable(): string {
  return [START, NOTE, "| code | refused | example | usual hint |", "| --- | --- | --- | --- |", ...diagnosticTable.map(row), END].join("\n");
}

/** `doc` with the text between the markers (and the markers) replaced by the rendered table. */
export function withCodesTable(doc: string): string {
  const { start, end } = codesTableRange(doc);
  return doc.slice(0, start) + renderCodesTable() + doc.slice(end);
}

/** Where the generated table (markers included) sits in `doc`. */
export function codesTableRange(doc: string): { start: number; end: number } {
  const start = doc.indexOf(START);
  const endMarker = doc.indexOf(END, start);
  if (start < 0 || endMarker < 0) throw new Error(`${LANGUAGE_DOC} has no "${START}" … "${END}" markers`);
  return { start, end: endMarker + END.length };
}

function main(): void {
  const doc = readFileSync(LANGUAGE_DOC, "utf8");
  const next = withCodesTable(doc);
  if (next === doc) return console.log(`${LANGUAGE_DOC}: the codes table is up to date`);
  const temp = `${LANGUAGE_DOC}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(temp, next, { flag: "wx" });
  renameSync(temp, LANGUAGE_DOC);
  console.log(`${LANGUAGE_DOC}: the codes table was rewritten (${diagnosticTable.length} codes)`);
}

if (require.main === module) main();
