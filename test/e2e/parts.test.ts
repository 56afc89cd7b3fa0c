// A module built in parts (LLVM builds each on its own thread, libbpf links them) is the same
// module: the same programs with the same instructions (give or take a scratch buffer's
// offset), BTF the kernel accepts, line info for every program, and the same results in the
// kernel as the module built whole.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { compile, compileAsync, type CompileResult } from "../../compiler/compile.js";
import { LoadedObject } from "../../runtime/loader.js";
import { open } from "../../runtime/index.js";
import { functionSizes } from "../../bench/measure.js";
import { repo } from "../helpers/tsbpf-command.js";

const file = repo("test/fixtures/language/parts.ts");
const dir = mkdtempSync(join(tmpdir(), "tsbpf-parts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Instruction slots of each function symbol (programs and subprograms). */
function sizesOf(c: CompileResult, name: string): Map<string, number> {
  const o = join(dir, name);
  writeFileSync(o, c.object);
  return functionSizes(o);
}

const u32 = (x: bigint) => Number(BigInt.asUintN(32, x));
const u64 = (x: bigint) => BigInt.asUintN(64, x);

function mix(a: bigint, b: bigint): bigint {
  let h = u64(a ^ 0x9e3779b97f4a7c15n);
  for (let i = 0n; i < 6n; i++) {
    h = u64((h ^ (b >> i)) * 0x100000001b3n);
    h = (h & 1n) === 1n ? u64(h + a) : h ^ u64(b << 1n);
  }
  return h;
}

function expected(SMALL: bigint, BIG: bigint, MID: bigint): Record<string, number> {
  let s = 0n;
  for (let i = 0n; i < 80n; i++) s += BIG + i;
  return {
    scratchy: u32(s),
    first: u32(mix(SMALL, BIG)),
    second: u32(mix(BIG, MID) >> 8n),
    third: u32(mix(MID, SMALL) >> 16n),
    last: u32((160n * SMALL + 12720n) * 1000n + MID),
  };
}

test("three parts make the same object as one", async () => {
  const whole = compile(file, { cache: false });
  const parts = await compileAsync(file, { cache: false, parts: 3 });
  expect(parts.programs).toEqual(whole.programs);
  expect(parts.params).toEqual(whole.params);
  const a = sizesOf(whole, "whole.o");
  const b = sizesOf(parts, "parts.o");
  // The same code, but a part's scratch buffer starts its own map (offset 0 saves an add).
  for (const p of whole.programs) expect([p.name, b.get(p.name)! <= a.get(p.name)! && b.get(p.name)! >= a.get(p.name)! - 2]).toEqual([p.name, true]);

  const settings: Record<string, bigint>[] = [{}, { SMALL: 250n, BIG: 0xffff_ffff_0000n, MID: 65535n }];
  for (const params of settings) {
    const values = { SMALL: 3n, BIG: 1000n, MID: 7n, ...params };
    const want = expected(values.SMALL, values.BIG, values.MID);
    for (const c of [whole, parts]) {
      const obj = LoadedObject.load({ ...c, file }, { params });
      try {
        expect(obj.kernelBtf).toBe(true);
        const got: Record<string, number> = {};
        for (const name of Object.keys(want)) got[name] = obj.testRun(name, new Uint8Array(64)).retval >>> 0;
        expect(got).toEqual(want);
      } finally {
        obj.close();
      }
    }
  }
});

test("every program of a module built in parts keeps its TypeScript line info", async () => {
  const parts = await compileAsync(file, { cache: false, parts: 3 });
  const o = join(dir, "lines.o");
  writeFileSync(o, parts.object);
  // llvm-objdump is not on every machine; the BTF line info section names each program's lines.
  const pin = join("/sys/fs/bpf", `tsbpf-parts-${process.pid}`);
  execFileSync("bpftool", ["prog", "loadall", o, pin]);
  try {
    for (const p of parts.programs) {
      const dump = execFileSync("bpftool", ["prog", "dump", "xlated", "pinned", join(pin, p.name), "linum"], { encoding: "utf8" });
      expect([p.name, dump.includes(`[file:${file} line_num:`)]).toEqual([p.name, true]);
    }
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
});

test("a large file of many programs is built in parts by default, one per core (at most 4)", async () => {
  // ≈ 20 kB (the threshold is 16 kB): 96 programs of some arithmetic and a printk each.
  const programs = Array.from({ length: 96 }, (_, i) =>
    [
      `export const big${i} = xdp(() => {`,
      `  let s: u64 = u64(N) * ${i + 3};`,
      `  for (let k: u32 = 0; k < 4; k++) s ^= (s >> k) + ${i};`,
      `  if (s % 3 === 0) printk("big${i} %llu is a multiple of three", s);`,
      `  return u32(s % 1000);`,
      `});`,
    ].join("\n"),
  );
  const file = join(dir, "large.ts");
  writeFileSync(file, ['import { xdp, printk, param, u32, u64 } from "tsbpf";', 'const N = param<u64>("N", 5);', ...programs, ""].join("\n"));
  const probe = await open(file, { cache: false, params: { N: 12345n } });
  try {
    expect(probe.compiled.parts).toBe(Math.min(4, Math.max(2, availableParallelism())));
    expect(probe.kernelBtf).toBe(true);
    for (const i of [0, 47, 95]) {
      let s = u64(12345n * BigInt(i + 3));
      for (let k = 0n; k < 4n; k++) s ^= u64((s >> k) + BigInt(i));
      expect([i, probe.testRun(`big${i}`).retval >>> 0]).toEqual([i, u32(s % 1000n)]);
    }
  } finally {
    probe.close();
  }
});

test("a map whose value is a struct, used by programs in several parts, keeps its value's BTF in each", async () => {
  // An extern map left a struct value a forward declaration, which libbpf's linker refused ("can't determine value size").
  const probe = join(dir, "struct-map.ts");
  const program = (name: string, tracepoint: string, body: string) => `export const ${name} = tracepoint("syscalls/${tracepoint}", () => {\n  const v = vals.get(0);\n  if (v !== undefined) ${body};\n});\n`;
  writeFileSync(
    probe,
    'import { tracepoint, pid, ArrayMap, type u32, type u64 } from "tsbpf";\ninterface Inner { a: u64; b: u32 }\nexport const vals = new ArrayMap<Inner>(4);\n' +
      program("p1", "sys_enter_syncfs", "v.a = v.a + 1") +
      program("p2", "sys_enter_openat", "v.b = pid()") +
      program("p3", "sys_enter_close", "v.a = 7"),
  );
  const parts = await compileAsync(probe, { cache: false, parts: 3 });
  expect(parts.parts).toBe(3);
  const out = join(dir, "struct-map.o");
  writeFileSync(out, parts.object);
  const btf = execFileSync("bpftool", ["btf", "dump", "file", out], { encoding: "utf8" });
  expect(btf).toMatch(/STRUCT 'Inner' size=16 vlen=2\n\t'a' type_id=\d+ bits_offset=0\n\t'b' type_id=\d+ bits_offset=64/);
  expect(btf).not.toMatch(/FWD 'Inner'/);
  const obj = LoadedObject.load({ ...parts, file: probe });
  obj.close();
});
