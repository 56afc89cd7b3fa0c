// The editor plugin `tsbpf/plugin`: the probe language's errors (TSBxxxx) as the author types, the
// same as `tsbpf build` reports them (held against the compiler on the same files), and quick
// fixes whose edits, applied, leave a probe that compiles. The project is on disk, set up as
// docs/editor.md says (its tsconfig, tsbpf linked into node_modules, the kernel's types from this
// machine's BTF); the plugin is loaded as TypeScript's server loads it, by the name "tsbpf/plugin",
// into TypeScript's language service, and into a real tsserver over its protocol.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ts from "typescript";
import { packageRoot } from "../../contract/paths.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { compilerDiagnostics, documentedTsconfig, editorDiagnostics, editorService, makeEditorProject, type EditorService, type Shown } from "../helpers/editor-project.js";
import { repo } from "../helpers/tsbpf-command.js";

const probes: Record<string, string> = {
  // Rules of the subset, each at its place.
  "subset.ts": `import { tracepoint, printk, pid, type u32 } from "tsbpf";

let calls: u32 = 0;

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  let i: u32 = 1;
  while (i < 10) {
    i = i * 2;
  }
  printk(\`pid \${pid()}\`);
});
`,
  // A kernel struct taken whole; read a field at a time through a pointer, it is fine (its types come from kernel-types/).
  "kernel.ts": `import { tracepoint, currentTask, printk, type Ptr, type i32 } from "tsbpf";
import type { task_struct } from "tsbpf/kernel";

function parentOf(task: Ptr<task_struct>): i32 {
  return task.real_parent.tgid;
}
function whole(task: task_struct): i32 {
  return 0;
}

export const t = tracepoint("sched/sched_process_exec", () => {
  printk("%d %d", parentOf(currentTask()), currentTask().real_parent.tgid);
});
`,
  // TypeScript's errors with an obvious fix: a narrowing, and a map value used unchecked.
  "fixes.ts": `import { tracepoint, pid, HashMap, type u8, type u32, type u64 } from "tsbpf";

const seen = new HashMap<u32, u64>(1024);

function low(x: u8): u8 {
  return x;
}

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  const id: u32 = pid();
  const small: u8 = id;
  low(small);
  low(id);
  const last = seen.get(id);
  seen.set(id, last + 1);
});
`,
  // A printk format written as a template.
  "format.ts": `import { tracepoint, printk, pid, comm, ktime } from "tsbpf";

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk(\`pid \${pid()} "\${comm()}" at \${ktime()} 100%\`);
});
`,
  // Rules that need no types, in a file with a type error.
  "typed-wrong.ts": `import { tracepoint, type u8 } from "tsbpf";

async function later(): Promise<void> {}

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  const x: u8 = "no";
});
`,
  // Module-level variables: one never assigned (a constant), one that is state.
  "state.ts": `import { tracepoint, printk, type u32 } from "tsbpf";

let limit: u32 = 10;
let count: u32 = 0;

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  count++;
  if (count > limit) printk("over");
});
`,
  // What only lowering finds: a function's stack over tsbpf's budget, a constant its type cannot
  // hold; the kernel struct's fields lowered as CO-RE reads from this machine's BTF.
  "lowered.ts": `import { tracepoint, currentTask, printk, i32, type Ptr, type u8, type u64, type FixedArray } from "tsbpf";
import type { task_struct } from "tsbpf/kernel";

function parentOf(task: Ptr<task_struct>): i32 {
  const seen: FixedArray<u64, 64> = [];
  return task.real_parent.tgid + i32(seen[0]);
}

export const t = tracepoint("sched/sched_process_exec", () => {
  const small: u8 = 300;
  printk("%d %d", parentOf(currentTask()), small);
});
`,
  // Being typed: a syntax error.
  "half-typed.ts": `import { tracepoint, printk } from "tsbpf";

export const t = tracepoint("syscalls/sys_enter_syncfs", () => {
  printk("hello"
`,
};

const project = mkdtempSync(join(tmpdir(), "tsbpf-plugin-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

makeEditorProject(project, probes);

const diagnosticsOf = (s: EditorService, name: string): Shown[] => editorDiagnostics(s, join(project, name));
const compilerErrors = (name: string): Shown[] => compilerDiagnostics(join(project, name));

let s: EditorService;
beforeAll(() => {
  s = editorService(project);
});

test("the plugin is found by its name, and says so in the server's log", () => {
  expect(s.log).toEqual([`tsbpf/plugin: loaded into TypeScript ${ts.version}`]);
});

test("the subset's errors as the author types: the compiler's, at the same places, with its hints", () => {
  const errors = diagnosticsOf(s, "subset.ts");
  expect(errors.map((e) => [e.code, e.source, e.text])).toEqual([
    [1105, "tsbpf", "calls: u32 = 0"],
    [2012, "tsbpf", "i = i * 2"],
    [1201, "tsbpf", "`pid ${pid()}`"],
  ]);
  expect(errors).toEqual(compilerErrors("subset.ts"));
  expect(errors[1].hint).toContain("for (let i: u32 = 0; i < N; i++)");
});

test("the kernel's structs are read field by field, as the compiler reads them; one taken whole is refused", () => {
  const errors = diagnosticsOf(s, "kernel.ts");
  expect(errors.map((e) => [e.code, e.line, e.text])).toEqual([[1302, 7, "task"]]);
  expect(errors).toEqual(compilerErrors("kernel.ts"));
});

test("with TypeScript's errors in the file, only the rules that need no types are checked (as the compiler does)", () => {
  const errors = diagnosticsOf(s, "typed-wrong.ts");
  expect(errors.filter((e) => !e.source).map((e) => [e.code, e.text])).toEqual(expect.arrayContaining([[2322, "x"]]));
  const language = errors.filter((e) => e.source === "tsbpf");
  expect(language.map((e) => [e.code, e.text])).toEqual([[2008, "async"]]);
  // The compiler reports the language's error instead of TypeScript's there.
  expect(compilerErrors("typed-wrong.ts")).toEqual(language);
  // A file being typed: TypeScript's syntax error, nothing more.
  expect(diagnosticsOf(s, "half-typed.ts").map((e) => [e.code, e.source ?? "ts"])).toEqual([[1005, "ts"]]);
});

test("what only lowering finds (to IR, in the editor's process; LLVM is not loaded): the first mistake of each function and program", () => {
  const errors = diagnosticsOf(s, "lowered.ts");
  expect(errors.map((e) => [e.code, e.line, e.text])).toEqual([
    [2015, 5, "[]"],
    [2018, 10, "300"],
  ]);
  expect(errors).toEqual(compilerErrors("lowered.ts"));
});

/** The fixes the editor is offered for the diagnostic of `code` on `text` in `name`. */
function fixesFor(name: string, code: number, text: string): readonly ts.CodeFixAction[] {
  const file = join(project, name);
  const d = s.service.getSemanticDiagnostics(file).find((x) => x.code === code && s.text(name).slice(x.start!, x.start! + x.length!) === text);
  expect([name, code, text, d !== undefined]).toEqual([name, code, text, true]);
  expect(s.service.getSupportedCodeFixes(file)).toContain(String(code));
  return s.service.getCodeFixesAtPosition(file, d!.start!, d!.start! + d!.length!, [code], {}, {});
}

/** The text with one fix's edits made, and the editor told. */
function apply(name: string, fix: ts.CodeFixAction): string {
  const edits = fix.changes.flatMap((c) => c.textChanges).sort((a, b) => b.span.start - a.span.start);
  let text = s.text(name);
  for (const e of edits) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.start + e.span.length);
  s.edit(name, text);
  return text;
}

/** The edits of a fix, each as the text it replaces and the text it puts there. */
const editsOf = (name: string, fix: ts.CodeFixAction) => fix.changes.flatMap((c) => c.textChanges.map((e) => [s.text(name).slice(e.span.start, e.span.start + e.span.length), e.newText]));

test("quick fixes: a cast where an integer does not fit, a null check where a map value is used unchecked; the result compiles", () => {
  const name = "fixes.ts";
  expect(diagnosticsOf(s, name).map((e) => [e.code, e.text])).toEqual([
    [2322, "small"],
    [2345, "id"],
    [18048, "last"],
  ]);
  // `const small: u8 = id;`: the cast, and u8 imported as a value (it was `type u8`).
  const cast = fixesFor(name, 2322, "small").filter((f) => f.fixName === "tsbpfNarrowingCast");
  expect(cast.map((f) => f.description)).toEqual(["Convert to u8 with u8(…) (truncates as a C cast does)"]);
  expect(editsOf(name, cast[0])).toEqual([
    ["id", "u8(id)"],
    ["type ", ""],
  ]);
  apply(name, cast[0]);
  // `low(id)`: the argument, u8 being imported now.
  const argument = fixesFor(name, 2345, "id").filter((f) => f.fixName === "tsbpfNarrowingCast");
  expect(editsOf(name, argument[0])).toEqual([["id", "u8(id)"]]);
  apply(name, argument[0]);
  // `seen.set(id, last + 1)`: return early when the lookup found nothing.
  const check = fixesFor(name, 18048, "last").filter((f) => f.fixName === "tsbpfNullCheck");
  expect(check.map((f) => f.description)).toEqual(["Return early when 'last' is undefined (nothing was found for the key)"]);
  expect(editsOf(name, check[0])).toEqual([["", "\n  if (last === undefined) return;"]]);
  const fixed = apply(name, check[0]);
  expect(fixed).toContain('import { tracepoint, pid, HashMap, u8, type u32, type u64 } from "tsbpf";');
  expect(fixed).toContain("  const small: u8 = u8(id);\n  low(small);\n  low(u8(id));\n  const last = seen.get(id);\n  if (last === undefined) return;\n  seen.set(id, last + 1);\n");
  expect(diagnosticsOf(s, name)).toEqual([]);
  writeFileSync(join(project, name), fixed);
  expect(compileErrorOf(join(project, name))).toBeUndefined();
});

test("quick fix: a template as printk's format becomes a format string with a conversion per value's type", () => {
  const name = "format.ts";
  expect(diagnosticsOf(s, name).map((e) => [e.code, e.source])).toEqual([[1201, "tsbpf"]]);
  const [fix] = fixesFor(name, 1201, '`pid ${pid()} "${comm()}" at ${ktime()} 100%`');
  expect(editsOf(name, fix)).toEqual([['`pid ${pid()} "${comm()}" at ${ktime()} 100%`', '"pid %u \\"%s\\" at %llu 100%%", pid(), comm(), ktime()']]);
  const fixed = apply(name, fix);
  expect(diagnosticsOf(s, name)).toEqual([]);
  writeFileSync(join(project, name), fixed);
  expect(compileErrorOf(join(project, name))).toBeUndefined();
});

test("quick fix: a module-level `let` nothing assigns becomes `const`; one that is state gets no fix", () => {
  const name = "state.ts";
  expect(diagnosticsOf(s, name)).toEqual(compilerErrors(name));
  expect(diagnosticsOf(s, name).map((e) => [e.code, e.text])).toEqual([
    [1105, "limit: u32 = 10"],
    [1105, "count: u32 = 0"],
  ]);
  expect(fixesFor(name, 1105, "count: u32 = 0")).toEqual([]);
  const [fix] = fixesFor(name, 1105, "limit: u32 = 10");
  expect([fix.description, editsOf(name, fix)]).toEqual(["Declare 'limit' with const (nothing assigns it)", [["let", "const"]]]);
  apply(name, fix);
  expect(diagnosticsOf(s, name).map((e) => [e.code, e.text])).toEqual([[1105, "count: u32 = 0"]]);
});

test("the plugin never throws into the editor: odd requests get TypeScript's answers, and what it cannot check is logged", () => {
  const file = join(project, "subset.ts");
  const end = s.text("subset.ts").length;
  expect(() => s.service.getCodeFixesAtPosition(file, end + 100, end + 200, [1105, 2012], {}, {})).not.toThrow();
  expect(s.service.getCodeFixesAtPosition(file, 0, 1, [1105], {}, {})).toEqual([]);
  // A project whose "tsbpf" is another copy of the declarations than this plugin's: its checks
  // would take tsbpf's helpers for any function, so only the rules that need no types run, and the log says why.
  const other = join(project, "other");
  mkdirSync(join(other, "node_modules", "tsbpf"), { recursive: true });
  cpSync(repo("stdlib"), join(other, "node_modules", "tsbpf", "stdlib"), { recursive: true });
  cpSync(repo("package.json"), join(other, "node_modules", "tsbpf", "package.json"));
  mkdirSync(join(other, "node_modules", "tsbpf", "plugin"));
  writeFileSync(join(other, "node_modules", "tsbpf", "plugin", "index.js"), `module.exports = require(${JSON.stringify(join(packageRoot, "plugin", "index.js"))});\n`);
  writeFileSync(join(other, "tsconfig.json"), documentedTsconfig());
  cpSync(join(project, "kernel-types"), join(other, "kernel-types"), { recursive: true });
  writeFileSync(join(other, "subset.ts"), probes["subset.ts"]);
  const elsewhere = editorService(other);
  const errors = elsewhere.service.getSemanticDiagnostics(join(other, "subset.ts"));
  expect(errors.map((d) => d.code)).toEqual([]);
  expect(elsewhere.log).toEqual([
    `tsbpf/plugin: loaded into TypeScript ${ts.version}`,
    `tsbpf/plugin: ${join(other, "subset.ts")}: the checks that need types are skipped: "tsbpf" is ${join(other, "node_modules", "tsbpf", "stdlib", "index.d.ts")} here, not ${join(packageRoot, "stdlib", "index.d.ts")}, whose checks this plugin runs`,
  ]);
});

test("the plugin runs in the editor's TypeScript: it loads neither its own, nor koffi (LLVM, libbpf), nor tsbpf's LLVM modules, lowering included", () => {
  // A fresh process that watches every module load while the plugin checks a probe.
  const script = `
    const Module = require("node:module");
    const load = Module._load;
    const loaded = [];
    Module._load = function (request, parent, ...rest) {
      if (parent && parent.filename.startsWith(${JSON.stringify(packageRoot)}) && (/^(typescript|koffi)$/.test(request) || /\\/llvm\\//.test(request))) loaded.push(request + " from " + parent.filename);
      return load.call(this, request, parent, ...rest);
    };
    const ts = require(${JSON.stringify(require.resolve("typescript"))});
    const root = ${JSON.stringify(project)};
    const config = ts.getParsedCommandLineOfConfigFile(root + "/tsconfig.json", {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} });
    const host = { getCompilationSettings: () => config.options, getScriptFileNames: () => config.fileNames, getScriptVersion: () => "0",
      getScriptSnapshot: (f) => { const t = ts.sys.readFile(f); return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t); },
      getCurrentDirectory: () => root, getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o), fileExists: ts.sys.fileExists, readFile: ts.sys.readFile,
      directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories, realpath: ts.sys.realpath, useCaseSensitiveFileNames: () => true };
    const plugin = Module.createRequire(root + "/package.json")("tsbpf/plugin")({ typescript: ts });
    const service = plugin.create({ languageService: ts.createLanguageService(host), languageServiceHost: host, project: { projectService: { logger: { info() {} } } }, config: {} });
    const codes = ["subset.ts", "lowered.ts"].map((f) => service.getSemanticDiagnostics(root + "/" + f).map((d) => d.code));
    process.stdout.write(JSON.stringify({ codes, loaded }));
  `;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual({ codes: [[1105, 2012, 1201], [2015, 2018]], loaded: [] });
});

describe("in TypeScript's server, as VS Code runs it with the workspace's TypeScript", () => {
  const root = join(project, "server");
  let server: TsServer;
  beforeAll(async () => {
    makeEditorProject(root, probes);
    // The workspace's TypeScript: tsserver looks for tsconfig plugins in the node_modules that holds it.
    const typescriptDir = dirname(require.resolve("typescript/package.json"));
    for (const f of ["package.json", "lib/tsserver.js", "lib/_tsserver.js", "lib/typescript.js"]) cpSync(join(typescriptDir, f), join(root, "node_modules", "typescript", f));
    server = new TsServer(join(root, "node_modules", "typescript", "lib", "tsserver.js"), root);
  });
  afterAll(() => server?.close());

  test("the plugin named in tsconfig.json adds the language's errors and fixes", async () => {
    const file = join(root, "subset.ts");
    await server.request("open", { file });
    const diagnostics = (await server.request("semanticDiagnosticsSync", { file })) as { code: number; source?: string; start: { line: number; offset: number }; text: string }[];
    expect(diagnostics.map((d) => [d.code, d.source, d.start.line, d.start.offset])).toEqual([
      [1105, "tsbpf", 3, 5],
      [2012, "tsbpf", 8, 5],
      [1201, "tsbpf", 10, 10],
    ]);
    expect(diagnostics[1].text).toMatch(/^a loop whose end the compiler cannot prove|loop/);
    expect(await server.request("getSupportedCodeFixes", { file })).toContain("1201");
    const fixes = (await server.request("getCodeFixes", { file, startLine: 10, startOffset: 10, endLine: 10, endOffset: 24, errorCodes: [1201] })) as { fixName: string; changes: { textChanges: { newText: string }[] }[] }[];
    expect(fixes.map((f) => [f.fixName, f.changes[0].textChanges[0].newText])).toEqual([["tsbpfFormatString", '"pid %u", pid()']]);
  });

  test("and what only lowering finds, in the server's process", async () => {
    const file = join(root, "lowered.ts");
    await server.request("open", { file });
    const diagnostics = (await server.request("semanticDiagnosticsSync", { file })) as { code: number; source?: string; start: { line: number; offset: number } }[];
    expect(diagnostics.map((d) => [d.code, d.source, d.start.line, d.start.offset])).toEqual([
      [2015, "tsbpf", 5, 37],
      [2018, "tsbpf", 10, 21],
    ]);
  });
});

/** A tsserver process, spoken to over its protocol (Content-Length framed JSON on stdout). */
class TsServer {
  private seq = 0;
  private buffer = "";
  private readonly waiting = new Map<number, (body: unknown) => void>();
  private readonly child;

  constructor(tsserver: string, cwd: string) {
    this.child = spawn(process.execPath, [tsserver, "--disableAutomaticTypingAcquisition"], { cwd, stdio: ["pipe", "pipe", "inherit"] });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let m; (m = /^Content-Length: (\d+)\r\n\r\n/.exec(this.buffer)); ) {
        const start = m[0].length;
        const length = Number(m[1]);
        if (Buffer.byteLength(this.buffer.slice(start)) < length) break;
        const bytes = Buffer.from(this.buffer.slice(start));
        const message = JSON.parse(bytes.subarray(0, length).toString("utf8"));
        this.buffer = bytes.subarray(length).toString("utf8").replace(/^\r?\n/, "");
        if (message.type === "response") this.waiting.get(message.request_seq)?.(message.success ? message.body : new Error(message.message));
      }
    });
  }

  request(command: string, args: object): Promise<unknown> {
    const seq = ++this.seq;
    const answer = new Promise<unknown>((resolve, reject) =>
      this.waiting.set(seq, (body) => (body instanceof Error ? reject(body) : resolve(body))),
    );
    this.child.stdin.write(JSON.stringify({ seq, type: "request", command, arguments: args }) + "\n");
    // "open" has no response: it is done when the next request is answered.
    return command === "open" ? Promise.resolve(undefined) : answer;
  }

  close(): void {
    this.child.kill();
  }
}
