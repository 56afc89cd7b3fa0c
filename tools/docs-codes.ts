// Renders the table of diagnostic codes (compiler/frontend/codes.ts) into docs/language.md,
// between its marker comments. Usage: npm run docs:codes

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { diagnosticTable, type DiagnosticEntry } from "../compiler/frontend/codes.js";
import { packageRoot } from "../contract/paths.js";
import { VERIFIER_CLASSES } from "../runtime/verifier/verifier-classes.js";

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

const VERIFIER_START = "<!-- verifier-codes:start -->";
const VERIFIER_NOTE = "<!-- generated from runtime/verifier/verifier-classes.ts by `npm run docs:codes`: edit the table there -->";
const VERIFIER_END = "<!-- verifier-codes:end -->";

/** The verifier's refusals as a markdown table, marker comments included. */
export function renderVerifierTable(): string {
  const rows = VERIFIER_CLASSES.map((c) => `| ${c.code} | ${cell(c.refuses)} | ${c.patterns.map((p) => codeCell(p.source)).join("<br>")} | ${cell(c.hint)} |`);
  return [VERIFIER_START, VERIFIER_NOTE, "| code | the kernel refused | the verifier's words (patterns) | usual hint |", "| --- | --- | --- | --- |", ...rows, VERIFIER_END].join("\n");
}

/** Where the generated verifier table (markers included) sits in `doc`. */
export function verifierTableRange(doc: string): { start: number; end: number } {
  const start = doc.indexOf(VERIFIER_START);
  const endMarker = doc.indexOf(VERIFIER_END, start);
  if (start < 0 || endMarker < 0) throw new Error(`${LANGUAGE_DOC} has no "${VERIFIER_START}" … "${VERIFIER_END}" markers`);
  return { start, end: endMarker + VERIFIER_END.length };
}

/** `doc` with the text between each pair of markers (and the markers) replaced by the rendered table. */
export function withCodesTable(doc: string): string {
  const codes = codesTableRange(doc);
  doc = doc.slice(0, codes.start) + renderCodesTable() + doc.slice(codes.end);
  const verifier = verifierTableRange(doc);
  return doc.slice(0, verifier.start) + renderVerifierTable() + doc.slice(verifier.end);
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
