// What an editor shows: the examples type-check against tsbpf's declarations alone, and
// narrowing an integer without a cast is an error as you type.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo } from "../helpers/tsbpf-command.js";

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

// An editor in a project that depends on tsbpf finds "tsbpf" through package.json's exports, and
// from there index.d.ts's re-exports ("./integers.js" → integers.d.ts) under either resolution.
test.each(["bundler", "nodenext"])('an example type-checks with "tsbpf" resolved through package.json (moduleResolution %s)', (resolution) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-editor-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo(), join(dir, "node_modules", "tsbpf"));
  const config = {
    compilerOptions: { noLib: true, types: [], strict: true, target: "es2022", module: resolution === "bundler" ? "esnext" : "nodenext", moduleResolution: resolution, noEmit: true },
    files: ["node_modules/tsbpf/stdlib/lib.d.ts", "probe.ts", "bad.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
  writeFileSync(join(dir, "probe.ts"), readFileSync(repo("examples/hello-syncfs.ts"), "utf8"));
  writeFileSync(join(dir, "bad.ts"), 'import { readUser, userPtr, type u8 } from "tsbpf";\nexport const x: u8 = readUser(userPtr<u8>(0));\nexport const y: string = x;\n');
  const r = tsc(join(dir, "tsconfig.json"));
  rmSync(dir, { recursive: true });
  // The only error is the one in bad.ts: everything the example imports resolved.
  expect(r.stdout.trim()).toMatch(/^(?:[^\n]*\/)?bad\.ts\(3,14\): error TS2322: Type 'u8' is not assignable to type 'string'\.$/);
});

// Without BTF on the machine (docs/editor.md): "tsbpf/kernel" and "tsbpf/kernel/tracepoints" are
// the shipped snapshot, found through package.json's exports and named in "types", which gives
// currentTask() its task_struct and ctx its record. tsbpf is a link in node_modules here, as
// pnpm and `npm link` make it: the snapshot must still be one file (one task_struct).
test('"tsbpf/kernel" is the shipped snapshot, through package.json and "types" (moduleResolution nodenext, node_modules linked)', () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-editor-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repo(), join(dir, "node_modules", "tsbpf"));
  const config = {
    compilerOptions: {
      noLib: true,
      types: ["tsbpf/kernel", "tsbpf/kernel/tracepoints"],
      strict: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      noEmit: true,
      skipLibCheck: true,
    },
    files: ["node_modules/tsbpf/stdlib/lib.d.ts", "probe.ts"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
  writeFileSync(
    join(dir, "probe.ts"),
    [
      'import { currentTask, tracepoint, type Ptr, type i32 } from "tsbpf";',
      'import type { task_struct, file } from "tsbpf/kernel";',
      "const parentOf = (task: Ptr<task_struct>): i32 => task.real_parent.tgid;",
      'export const t = tracepoint("syscalls/sys_enter_openat", (ctx) => {',
      "  const flags: i32 = ctx.flags;",
      "  const ppid: i32 = parentOf(currentTask());",
      "});",
      "export const wrong = (f: Ptr<file>) => parentOf(f);",
      "",
    ].join("\n"),
  );
  const r = tsc(join(dir, "tsconfig.json"));
  rmSync(dir, { recursive: true });
  expect(r.stdout.match(/error TS/g)).toHaveLength(1);
  expect(r.stdout.trim()).toMatch(/^(?:[^\n]*\/)?probe\.ts\(8,49\): error TS2345: Argument of type 'Ptr<file>' is not assignable to parameter of type 'Ptr<task_struct>'\.\n/);
});
