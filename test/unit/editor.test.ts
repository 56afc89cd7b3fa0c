// What an editor shows: the examples type-check against tsbpf's declarations alone, and
// narrowing an integer without a cast is an error as you type.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo } from "../helpers/cli.js";

const tsc = (project: string) => spawnSync(process.execPath, [repo("node_modules/typescript/bin/tsc"), "-p", project], { encoding: "utf8" });

test("the examples type-check with examples/tsconfig.json", () => {
  const r = tsc(repo("examples/tsconfig.json"));
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});

test("narrowing without a cast is an error in the editor", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-editor-"));
  const config = readFileSync(repo("examples/tsconfig.json"), "utf8").replace(/"\.\.\/stdlib\//g, `"${repo("stdlib")}/`);
  writeFileSync(join(dir, "tsconfig.json"), config);
  writeFileSync(join(dir, "probe.ts"), 'import { tracepoint, pid, type u8, u16 } from "tsbpf";\nexport const t = tracepoint("a/b", () => {\n  const ok: u16 = u16(pid());\n  const bad: u8 = ok;\n});\n');
  const r = tsc(join(dir, "tsconfig.json"));
  rmSync(dir, { recursive: true });
  expect(r.stdout).toMatch(/probe\.ts\(4,9\): error TS2322: Type 'u16' is not assignable to type 'u8'/);
});
