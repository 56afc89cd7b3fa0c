// clang for the BPF target, as an oracle for C layout and C values: what clang says a C type's
// size, alignment and field offsets are, and the bytes it gives an initialised global. The
// declarations are written from the contract's own C types (cDeclaration, cInitializer).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CStruct, CType } from "../../contract/c-layout.js";

const found = new Map<string, string>();

/** The first of `name`, `name-18` … `name-14` that runs. */
function tool(name: string): string {
  let path = found.get(name);
  if (path) return path;
  for (const version of ["", "-18", "-17", "-16", "-15", "-14"]) {
    try {
      execFileSync(name + version, ["--version"], { stdio: "pipe" });
      path = name + version;
      break;
    } catch {
      // not this one
    }
  }
  if (!path) throw new Error(`${name} is not installed: the layout tests check against clang (apt-get install clang llvm)`);
  found.set(name, path);
  return path;
}

const clang = () => tool("clang");
const objcopy = () => tool("llvm-objcopy");

const INT_NAMES: Record<string, string> = {
  u8: "unsigned char",
  i8: "signed char",
  u16: "unsigned short",
  i16: "short",
  u32: "unsigned int",
  i32: "int",
  u64: "unsigned long long",
  i64: "long long",
};

/** `t` declared as `name` in C: `unsigned int name`, `struct S name`, `char name[16]`, `short name[2][3]`. */
export function cDeclaration(t: CType, name: string): string {
  let dims = "";
  while (t.kind === "array") {
    dims += `[${t.length}]`;
    t = t.elem;
  }
  switch (t.kind) {
    case "int":
      return `${INT_NAMES[`${t.signed ? "i" : "u"}${t.bits}`]} ${name}${dims}`;
    case "bool":
      return `_Bool ${name}${dims}`;
    case "ptr":
      return `void *${name}${dims}`;
    case "str":
      return `char ${name}${dims}[${t.length}]`;
    case "struct":
      return `struct ${t.name} ${name}${dims}`;
  }
}

/** The definitions of every struct `types` use, each once, inner ones first. */
export function structDefinitions(types: CType[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (t: CType): void => {
    if (t.kind === "array") return visit(t.elem);
    if (t.kind !== "struct" || seen.has(t.name)) return;
    seen.add(t.name);
    t.fields.forEach((f) => visit(f.type));
    out.push(`struct ${t.name} {\n${t.fields.map((f) => `  ${cDeclaration(f.type, f.name)};\n`).join("")}};`);
  };
  types.forEach(visit);
  return out.join("\n");
}

/** A C initializer of `value` as a `t` (the codec's JavaScript form). */
export function cInitializer(t: CType, value: unknown): string {
  switch (t.kind) {
    case "int": {
      const v = BigInt(value as number | bigint);
      if (!t.signed) return `${v}ULL`;
      // -2^63 is not a literal C can write: 2^63 does not fit in long long
      return v === -(1n << 63n) ? "(-9223372036854775807LL - 1)" : `${v}LL`;
    }
    case "bool":
      return value ? "1" : "0";
    case "ptr":
      return `(void *)${BigInt(value as number | bigint)}ULL`;
    case "str":
      return `{ ${[...Buffer.from(value as string, "utf8")].map((b) => `0x${b.toString(16)}`).join(", ")} }`;
    case "array":
      return `{ ${(value as unknown[]).map((v) => cInitializer(t.elem, v)).join(", ")} }`;
    case "struct":
      return `{ ${t.fields.map((f) => cInitializer(f.type, (value as Record<string, unknown>)[f.name])).join(", ")} }`;
  }
}

function withTemp<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-clang-"));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What clang says each C expression is (integer constant expressions: sizeof, _Alignof, offsetof). */
export function clangConstants(prelude: string, expressions: string[]): number[] {
  const source = `${prelude}\n${expressions.map((e, i) => `unsigned long long q${i} = ${e};`).join("\n")}\n`;
  return withTemp((dir) => {
    writeFileSync(join(dir, "layout.c"), source);
    const ir = execFileSync(clang(), ["-target", "bpf", "-S", "-emit-llvm", "-o", "-", join(dir, "layout.c")], { encoding: "utf8" });
    const values = new Map([...ir.matchAll(/^@q(\d+) = [^\n]*global i64 (\d+)/gm)].map(([, i, v]) => [Number(i), Number(v)]));
    return expressions.map((e, i) => {
      if (!values.has(i)) throw new Error(`clang gave no value for ${e}`);
      return values.get(i)!;
    });
  });
}

/** The bytes clang gives each struct value: a global per value, in a section of its own. */
export function clangBytes(types: CStruct[], values: unknown[]): Buffer[] {
  const globals = values.map((v, i) => `__attribute__((section("v${i}"))) ${cDeclaration(types[i], `g${i}`)} = ${cInitializer(types[i], v)};`);
  return withTemp((dir) => {
    writeFileSync(join(dir, "values.c"), `${structDefinitions(types)}\n${globals.join("\n")}\n`);
    execFileSync(clang(), ["-target", "bpf", "-c", "-o", join(dir, "values.o"), join(dir, "values.c")]);
    execFileSync(objcopy(), [...values.flatMap((_, i) => ["--dump-section", `v${i}=${join(dir, `v${i}.bin`)}`]), join(dir, "values.o"), join(dir, "out.o")]);
    return values.map((_, i) => readFileSync(join(dir, `v${i}.bin`)));
  });
}
