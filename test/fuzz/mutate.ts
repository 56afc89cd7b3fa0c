// Mutants: a seed file with a few token-level edits (delete, duplicate, swap, replace by a pool
// token, insert), now and then lines spliced in from another file or an expression nested
// hundreds deep. Mutant `index` of run `seed` depends on nothing else (and on the seed files),
// so one failing mutant is rebuilt without the ones before it.

import { Rng } from "../differential/random.js";
import type { SeedFile, TokenPool } from "./seeds.js";
import { joinPieces, tokenize, type Category, type Piece } from "./tokens.js";

export interface Mutant {
  seed: number;
  index: number;
  /** The seed file it started from. */
  base: string;
  text: string;
  /** What was done, in order: for the report. */
  steps: string[];
  /** LLVM parts to build in (`tsbpf build -j N`); absent: the default. */
  parts?: number;
}

export interface MutationInput {
  files: readonly SeedFile[];
  pool: TokenPool;
}

type Operator = "delete" | "duplicate" | "swap" | "replace" | "insert" | "splice" | "nest";

// A token replaced by one of its kind keeps most mutants parseable, so that they reach type
// checking, lowering and LLVM; deletions, swaps and insertions mostly exercise the parser's
// errors. Half the mutants are "gentle": replaced tokens only (and rare nesting).
const ROUGH: Record<Operator, number> = { delete: 12, duplicate: 8, swap: 10, replace: 40, insert: 6, splice: 12, nest: 4 };
const GENTLE: Partial<Record<Operator, number>> = { replace: 40, nest: 3 };

/** Operators and keywords that can stand in for each other without breaking the syntax. */
const ALIKE_GROUPS = [
  // Not `<` and `>`: in probe code they are mostly a type's brackets.
  ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>", "<=", ">=", "===", "!==", "==", "!=", "&&", "||", "??", "**"],
  // Not `=`: most of them initialise a declaration.
  ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ">>>=", "**=", "&&=", "||=", "??="],
  ["++", "--"],
  ["!", "~", "-", "+"],
  ["const", "let", "var"],
  ["true", "false", "null", "undefined", "this"],
  ["break", "continue", "return"],
  ["if", "while"],
  ["interface", "type"],
];

/** Depths past anything people write, and past where a recursive walk may run out of stack. */
const DEPTHS = [8, 40, 200, 1000, 3000];

export function mutantAt(seed: number, index: number, input: MutationInput): Mutant {
  const rng = new Rng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const base = rng.pick(input.files);
  let text = base.text;
  const steps: string[] = [];
  const weights = rng.chance(0.5) ? GENTLE : ROUGH;
  let edits = 1;
  while (edits < 6 && rng.chance(0.4)) edits++;
  for (let i = 0; i < edits; i++) {
    const op = rng.weighted(weights);
    const next = apply(op, text, rng, input);
    if (!next) continue;
    text = next.text;
    steps.push(next.step);
  }
  const parts = rng.weighted({ default: 7, two: 2, three: 1 });
  return { seed, index, base: base.name, text, steps, parts: parts === "two" ? 2 : parts === "three" ? 3 : undefined };
}

interface Edit {
  text: string;
  step: string;
}

function apply(op: Operator, text: string, rng: Rng, input: MutationInput): Edit | undefined {
  if (op === "splice") return splice(text, rng, input.files);
  const pieces = tokenize(text);
  const tokens = pieces.flatMap((p, i) => (p.trivia ? [] : [i]));
  if (tokens.length === 0) return undefined;
  let at = rng.pick(tokens);
  const show = (i: number) => JSON.stringify(short(pieces[i].text));
  switch (op) {
    case "delete": {
      const count = Math.min(rng.int(1, 3), tokens.length - tokens.indexOf(at));
      const gone = tokens.slice(tokens.indexOf(at), tokens.indexOf(at) + count);
      const step = `delete ${gone.map(show).join(" ")}`;
      for (const i of gone) setPiece(pieces, i, "");
      return { text: joinPieces(pieces), step };
    }
    case "duplicate": {
      const last = tokens[Math.min(tokens.length - 1, tokens.indexOf(at) + rng.int(0, 3))];
      const run = joinPieces(pieces.slice(at, last + 1));
      setPiece(pieces, last, pieces[last].text + " " + run);
      return { text: joinPieces(pieces), step: `duplicate ${JSON.stringify(short(run))}` };
    }
    case "swap": {
      const near = () => tokens[Math.min(tokens.length - 1, tokens.indexOf(at) + rng.int(1, 5))];
      const alike = tokens.filter((i) => pieces[i].category === pieces[at].category);
      const other = rng.chance(0.5) ? rng.pick(alike) : rng.chance(0.5) ? near() : rng.pick(tokens);
      const step = `swap ${show(at)} and ${show(other)}`;
      const a = pieces[at].text;
      setPiece(pieces, at, pieces[other].text);
      setPiece(pieces, other, a);
      return { text: joinPieces(pieces), step };
    }
    case "replace": {
      // Mostly a value, a name or an operator: replacing brackets and separators breaks the syntax.
      const values = tokens.filter((i) => !["operator", "keyword"].includes(pieces[i].category) || ALIKE_GROUPS.some((g) => g.includes(pieces[i].text)));
      if (values.length > 0 && rng.chance(0.85)) at = rng.pick(values);
      const token = rng.chance(0.8) ? alikeToken(rng, input.pool, pieces, at) : poolToken(rng, input.pool);
      const step = `replace ${show(at)} by ${JSON.stringify(short(token))}`;
      setPiece(pieces, at, token);
      return { text: joinPieces(pieces), step };
    }
    case "insert": {
      const token = poolToken(rng, input.pool);
      setPiece(pieces, at, `${token} ${pieces[at].text}`);
      return { text: joinPieces(pieces), step: `insert ${JSON.stringify(short(token))} before ${show(at)}` };
    }
    case "nest":
      return nest(pieces, tokens, rng);
  }
}

/** A token of the same kind: an operator or keyword of its group, a name from this file or the pool. */
function alikeToken(rng: Rng, pool: TokenPool, pieces: Piece[], at: number): string {
  const { text, category } = pieces[at];
  const group = ALIKE_GROUPS.find((g) => g.includes(text));
  if (group) return rng.pick(group);
  if (category === "identifier" && rng.chance(0.6)) return rng.pick(pieces.filter((p) => p.category === "identifier")).text;
  if (category === "identifier" && rng.chance(0.4)) return rng.pick(pool.edgeNames);
  return poolToken(rng, pool, category);
}

/** A pool token of the category, or of any category. */
function poolToken(rng: Rng, pool: TokenPool, category?: Category): string {
  const lists = pool.byCategory;
  const usable = (Object.keys(lists) as Category[]).filter((c) => lists[c].length > 0);
  return rng.pick(lists[category && lists[category].length > 0 ? category : rng.pick(usable)]);
}

/** Sets a piece's text, with a space where it would otherwise fuse with a neighbour into one word. */
function setPiece(pieces: Piece[], i: number, text: string): void {
  const word = /[\w$\u0080-\uffff]/u;
  const before = pieces[i - 1]?.text.slice(-1) ?? "";
  const after = pieces[i + 1]?.text[0] ?? "";
  const lead = text && word.test(text[0]) && word.test(before) ? " " : "";
  const tail = text && word.test(text.slice(-1)) && word.test(after) ? " " : "";
  pieces[i] = { ...pieces[i], text: lead + text + tail };
  if (!text && word.test(before) && word.test(after)) pieces[i] = { ...pieces[i], text: " " };
}

/** Lines of a seed file put in place of, or between, lines of this one. */
function splice(text: string, rng: Rng, files: readonly SeedFile[]): Edit {
  const donor = rng.chance(0.3) ? { name: "itself", text } : rng.pick(files);
  const from = donor.text.split("\n");
  const start = rng.int(0, from.length - 1);
  const taken = from.slice(start, start + rng.int(1, 6));
  const lines = text.split("\n");
  const at = rng.int(0, lines.length);
  const replaced = rng.chance(0.5) ? rng.int(1, 4) : 0;
  lines.splice(at, replaced, ...taken);
  return { text: lines.join("\n"), step: `splice ${donor.name}:${start + 1}+${taken.length} at line ${at + 1}${replaced ? `, replacing ${replaced}` : ""}` };
}

/** An expression, statement or type nested `depth` deep around (or in place of) one token. */
function nest(pieces: Piece[], tokens: number[], rng: Rng): Edit | undefined {
  const depth = rng.pick(DEPTHS);
  const kinds: Record<string, (t: string) => string> = {
    parens: (t) => "(".repeat(depth) + t + ")".repeat(depth),
    sum: () => Array(depth).fill("1").join(" + "),
    arrays: (t) => "[".repeat(depth) + t + "]".repeat(depth),
    ternary: (t) => "1 ? ".repeat(depth) + t + " : 0".repeat(depth),
    calls: (t) => "u32(".repeat(depth) + t + ")".repeat(depth),
    unary: (t) => "~".repeat(depth) + t,
    arrows: (t) => "() => ".repeat(depth) + t,
    ifs: (t) => t + " if (true) {".repeat(depth) + "}".repeat(depth),
    blocks: (t) => t + " {".repeat(depth) + "}".repeat(depth),
    types: () => "FixedArray<".repeat(depth) + "u8" + ", 2>".repeat(depth),
  };
  const kind = rng.pick(Object.keys(kinds));
  // Statements go after a `{`, types in place of a type name, expressions at a value.
  const fits = (p: Piece) =>
    kind === "ifs" || kind === "blocks" ? p.text === "{" : kind === "types" ? p.category === "typeName" : p.category === "number" || p.category === "identifier";
  const candidates = tokens.filter((i) => fits(pieces[i]));
  if (candidates.length === 0) return undefined;
  const at = rng.pick(candidates);
  const step = `nest ${kind} ${depth} deep at ${JSON.stringify(pieces[at].text)}`;
  setPiece(pieces, at, kinds[kind](pieces[at].text));
  return { text: joinPieces(pieces), step };
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 20)}…(${s.length})…${s.slice(-10)}` : s;
}
