// The table of diagnostic codes is the truth about them: docs/language.md shows it as rendered,
// every code is in it once, and every entry's example, compiled by the real compiler, is
// refused with that entry's code (so each code has a test case).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TsbpfError } from "../../compiler/compile.js";
import { Codes, diagnosticTable, RETIRED_CODES } from "../../compiler/frontend/codes.js";
import { probeSource } from "../helpers/code-examples.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { codesTableRange, LANGUAGE_DOC, renderCodesTable, renderVerifierTable, verifierTableRange } from "../../tools/docs-codes.js";
import { VERIFIER_CLASSES } from "../../runtime/verifier/verifier-classes.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-codes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function compileError(source: string): TsbpfError | undefined {
  const file = join(dir, `probe${n++}.ts`);
  writeFileSync(file, source, { flag: "wx" });
  return compileErrorOf(file);
}

test("docs/language.md shows the table as rendered from compiler/frontend/codes.ts", () => {
  const doc = readFileSync(LANGUAGE_DOC, "utf8");
  const { start, end } = codesTableRange(doc);
  const shown = doc.slice(start, end);
  if (shown !== renderCodesTable())
    throw new Error("docs/language.md's table of codes is stale: run `npm run docs:codes` and commit docs/language.md");
});

test("docs/language.md shows the verifier's refusals as rendered from runtime/verifier/verifier-classes.ts", () => {
  const doc = readFileSync(LANGUAGE_DOC, "utf8");
  const { start, end } = verifierTableRange(doc);
  if (doc.slice(start, end) !== renderVerifierTable())
    throw new Error("docs/language.md's table of the verifier's refusals is stale: run `npm run docs:codes` and commit docs/language.md");
});

test("the verifier's codes are TSB3xxx, unique, and none is also a compiler code or a retired one", () => {
  const codes = VERIFIER_CLASSES.map((c) => c.code as string);
  for (const code of codes) expect(code).toMatch(/^TSB3\d{3}$/);
  expect(new Set(codes).size).toBe(codes.length);
  const taken = new Set<string>([...diagnosticTable.map((e) => e.code), ...RETIRED_CODES]);
  expect(codes.filter((c) => taken.has(c))).toEqual([]);
});

test("every code has one row in docs/language.md", () => {
  const doc = readFileSync(LANGUAGE_DOC, "utf8");
  const { start, end } = codesTableRange(doc);
  const rows = [...doc.slice(start, end).matchAll(/^\| (TSB\d{4}) \|/gm)].map((m) => m[1]);
  expect(rows).toEqual(diagnosticTable.map((e) => e.code));
});

test("codes are well formed, unique, and none is a retired one", () => {
  const codes = diagnosticTable.map((e) => e.code);
  for (const code of codes) expect(code).toMatch(/^TSB\d{4}$/);
  expect(new Set(codes).size).toBe(codes.length);
  expect(codes.filter((c) => (RETIRED_CODES as readonly string[]).includes(c))).toEqual([]);
  expect(Object.values(Codes).sort()).toEqual(codes);
});

test("the standard probe around the examples compiles by itself", () => {
  expect(compileError(probeSource({ example: "", placement: "module" }))?.format()).toBeUndefined();
  expect(compileError(probeSource({ example: "pid();", placement: "handler" }))?.format()).toBeUndefined();
});

describe("every code's example is refused with that code", () => {
  test.each(diagnosticTable.map((e) => [e.code, e] as const))("%s", (code, entry) => {
    const e = compileError(probeSource(entry));
    expect(e?.format() ?? "(compiled without an error)").toContain(`error ${code}:`);
    expect(e!.code).toBe(code);
    expect(e!.at).toBeDefined();
    expect(e!.options.hint ?? "").not.toBe("");
  });
});
