// What the fuzzer mutates: the examples and the language and error fixtures, and the pool of
// tokens a mutation may put in: every token those files use, tsbpf's own exported names, every
// TypeScript keyword and operator, and values chosen to sit on edges (0, widths' limits, numbers
// past 64 bits, strings with non-ASCII or control characters, names LLVM or ELF care about).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../contract/paths.js";
import { languageTokens, tokenize, TYPE_NAMES, type Category } from "./tokens.js";

export interface SeedFile {
  /** Relative to the package root, e.g. examples/pid-facts.ts. */
  name: string;
  text: string;
}

export interface TokenPool {
  byCategory: Record<Category, string[]>;
  /** Names that are hard on the back end (non-ASCII, ELF sections, symbols): picked often. */
  edgeNames: readonly string[];
}

const SEED_DIRS = ["examples", "test/fixtures/language", "test/fixtures/errors", "test/fixtures/maps", "test/fixtures/kinds"];

/** In a fixed order: the same seed gives the same mutants as long as these files are unchanged. */
export function seedFiles(): SeedFile[] {
  return SEED_DIRS.flatMap((dir) =>
    readdirSync(join(packageRoot, dir))
      .filter((f) => f.endsWith(".ts"))
      .sort()
      .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(packageRoot, dir, f), "utf8") })),
  );
}

const EDGE_NUMBERS = [
  "0", "1", "2", "7", "8", "31", "32", "63", "64", "65", "128", "129", "255", "256", "511", "512", "513", "1024", "4096",
  "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296", "9007199254740993", "9223372036854775807",
  "9223372036854775808", "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211456",
  "99999999999999999999999999999999999999999", "1e308", "1e309", "0.5", "1.5e3", "0x0", "0xffffffffffffffff",
  "0x1ffffffffffffffff", "0b1111", "0o777", "1_000_000", "0n", "10n", "18446744073709551616n",
];

const EDGE_STRINGS = [
  '""', '"%d"', '"%s"', '"%llu %llx %p %c"', `"${"%d ".repeat(70)}"`, '"%"', '"é"', '"变量 %d"', '"\\u0000"', '"\\x1b[31mred"',
  '"\\n\\t\\r"', '"syscalls/sys_enter_openat"', '"syscalls/sys_exit_openat"', '"sched/sched_switch"', '"raw_syscalls/sys_enter"',
  '"no/such"', '"syscalls"', '"../../../etc/passwd"', `"${"x".repeat(5000)}"`, "'single'", "`template`", "`a${1}b`", '"tsbpf"', '"fs"',
];

const EDGE_IDENTIFIERS = [
  "变量", "café", "Ωmega", "LICENSE", "license", "_license", "xdp", "tracepoint", "maps", "__proto__", "constructor", "toString", "hasOwnProperty", "main",
  "ctx", "undefined", "NaN", "Infinity", "arguments", "eval", "$", "_", "a".repeat(600), "memset", "memcpy", "bpf_trace_printk",
  "console", "Math", "BigInt", "process", "require",
];

/** The names stdlib/index.d.ts exports: helpers, program kinds, types, constants. */
function stdlibNames(): string[] {
  const text = readFileSync(join(packageRoot, "stdlib", "index.d.ts"), "utf8");
  return [...text.matchAll(/^export (?:declare )?(?:function|const|class|type|interface) (\w+)/gm)].map((m) => m[1]);
}

export function tokenPool(files: readonly SeedFile[]): TokenPool {
  const sets: Record<Category, Set<string>> = {
    identifier: new Set(EDGE_IDENTIFIERS),
    typeName: new Set(TYPE_NAMES),
    keyword: new Set(),
    operator: new Set(),
    number: new Set(EDGE_NUMBERS),
    string: new Set(EDGE_STRINGS),
    other: new Set(),
  };
  for (const name of stdlibNames()) (/^[A-Z]/.test(name) && !/^[A-Z_]+$/.test(name) ? sets.typeName : sets.identifier).add(name);
  const { keyword, operator } = languageTokens();
  for (const k of keyword) (TYPE_NAMES.has(k) ? sets.typeName : sets.keyword).add(k);
  for (const o of operator) sets.operator.add(o);
  for (const f of files) for (const p of tokenize(f.text)) if (!p.trivia) sets[p.category].add(p.text);
  const byCategory = Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, [...v]])) as Record<Category, string[]>;
  return { byCategory, edgeNames: EDGE_IDENTIFIERS };
}
