// What an editor shows: the examples type-check against tsbpf's declarations alone, narrowing an
// integer without a cast is an error as you type, and the plugin shows what `tsbpf build`
// reports, the errors only lowering finds included (each code's example, and lowering's cases).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diagnosticTable } from "../../compiler/frontend/codes.js";
import { probeSource } from "../helpers/code-examples.js";
import { compilerDiagnostics, editorDiagnostics, editorService, makeEditorProject, type EditorService } from "../helpers/editor-project.js";
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

describe("the plugin shows what `tsbpf build` reports, at the same places, with the same hints", () => {
  const project = mkdtempSync(join(tmpdir(), "tsbpf-editor-codes-"));
  afterAll(() => rmSync(project, { recursive: true, force: true }));
  const program = (body: string) => `export const t = tracepoint("syscalls/sys_enter_syncfs", () => {\n${body}\n});\n`;
  // What only lowering finds (the frontend lets these through): sizes, constants in their C type,
  // a kernel struct's fields as this kernel's BTF has them. The first mistake of each program and function.
  const lowering: Record<string, { source: string; codes: number[] }> = {
    "stack-and-constants.ts": {
      source:
        'import { tracepoint, type u8, type u64, type FixedArray } from "tsbpf";\n' +
        "function big(): u64 {\n  const a: FixedArray<u64, 64> = [];\n  return a[0];\n}\n" +
        "function small(): u8 {\n  const x: u8 = 300;\n  return x;\n}\n" +
        program("  const y: u8 = 256;\n  const z: u8 = 999;\n  big();\n  small();"),
      codes: [2015, 2018, 2018],
    },
    "scratch.ts": {
      source:
        'import { tracepoint, pid, u64, type FixedArray } from "tsbpf";\n' +
        program("  const a: FixedArray<u64, 2048> = [];\n  const b: FixedArray<u64, 2048> = [];\n  const c: FixedArray<u64, 2048> = [];\n  a[1] = b[2] + c[3] + u64(pid());"),
      codes: [2015],
    },
    "bitfield.ts": { source: 'import { tracepoint, currentTask, printk } from "tsbpf";\n' + program('  printk("%d", currentTask().in_execve);'), codes: [1302] },
  };
  const examples = Object.fromEntries(diagnosticTable.map((e) => [`${e.code}.ts`, probeSource(e)]));
  makeEditorProject(project, { ...examples, ...Object.fromEntries(Object.entries(lowering).map(([name, c]) => [name, c.source])) });
  let s: EditorService;
  beforeAll(() => {
    s = editorService(project);
  });

  // The editor types "tsbpf/kernel" from its declarations: a name they lack is TypeScript's own
  // error there (TS2724, "did you mean"), where the compiler, which declares only what this
  // kernel's BTF has, gives its code at the same span.
  const typescriptsOwn: Record<string, number> = { TSB1301: 2724 };

  test.each(diagnosticTable.map((e) => [e.code]))("%s's example", (code) => {
    const file = join(project, `${code}.ts`);
    const build = compilerDiagnostics(file);
    expect(build.map((d) => `TSB${d.code}`)).toContain(code);
    const shown = editorDiagnostics(s, file);
    const plugin = shown.filter((d) => d.source === "tsbpf");
    if (code in typescriptsOwn) {
      expect(plugin).toEqual([]);
      expect(shown.map((d) => [d.code, d.line, d.column, d.length])).toEqual(build.map((d) => [typescriptsOwn[code], d.line, d.column, d.length]));
    } else expect(plugin).toEqual(build);
  });

  test.each(Object.entries(lowering))("lowering: %s", (name, { codes }) => {
    const file = join(project, name);
    const build = compilerDiagnostics(file);
    expect(build.map((d) => d.code)).toEqual(codes);
    expect(editorDiagnostics(s, file)).toEqual(build);
  });

  test("a bug met while lowering is no diagnostic, and a line in the server's log", () => {
    // The plugin's own copy of the lowering (loaded by Node, as tsserver loads it), made to fail as a bug would.
    const lowerer = createRequire(__filename)(repo("dist/compiler/lower/module-lowerer.js")) as typeof import("../../compiler/lower/module-lowerer.js");
    const lowerModule = lowerer.lowerModule;
    const name = "scratch.ts";
    lowerer.lowerModule = () => {
      throw new TypeError("a bug in lowering");
    };
    try {
      s.edit(name, s.text(name) + "\n"); // a new version: the one checked before is not reused
      expect(() => editorDiagnostics(s, join(project, name))).not.toThrow();
      expect(editorDiagnostics(s, join(project, name))).toEqual([]);
    } finally {
      lowerer.lowerModule = lowerModule;
    }
    expect(s.log.filter((l) => l.includes("a bug in lowering"))).toEqual([expect.stringMatching(new RegExp(`^tsbpf/plugin: checking ${join(project, name)} failed \\(a bug in tsbpf: please report it\\): TypeError: a bug in lowering\n`))]);
    // Mended (the next keystroke), the file's errors are back.
    s.edit(name, s.text(name) + "\n");
    expect(editorDiagnostics(s, join(project, name)).map((d) => d.code)).toEqual([2015]);
  });

  test("without the kernel's BTF, a probe that reads kernel structs' fields gets the frontend's checks, and the log says why not lowering's", () => {
    const saved = process.env.TSBPF_BTF;
    process.env.TSBPF_BTF = join(project, "no-such-btf");
    try {
      const other = editorService(project);
      expect(editorDiagnostics(other, join(project, "bitfield.ts"))).toEqual([]);
      expect(other.log.filter((l) => l.includes("bitfield.ts"))).toEqual([
        `tsbpf/plugin: ${join(project, "bitfield.ts")}: the checks that lowering makes are skipped: the probe reads kernel structs' fields, which are lowered from the kernel's BTF, and there is none here (${join(project, "no-such-btf")}: no such file)`,
      ]);
      // One that reads none is lowered all the same.
      expect(editorDiagnostics(other, join(project, "scratch.ts")).map((d) => d.code)).toEqual([2015]);
    } finally {
      if (saved === undefined) delete process.env.TSBPF_BTF;
      else process.env.TSBPF_BTF = saved;
    }
  });
});
