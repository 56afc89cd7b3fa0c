// What the editor shows in a probe: TypeScript's language service (what VS Code runs) over a
// project set up as docs/editor.md says, its tsconfig taken from that page, with tsbpf installed
// in node_modules, the kernel's types from this machine's BTF in kernel-types/vmlinux.d.ts and the
// shipped tracepoint snapshot in kernel-types/tracepoints.d.ts. Each mistake's error is asserted
// with its message and the line, column and length of the offending token.
//
// The kernel-types/vmlinux.d.ts here is kernelSubset()'s: the same generator as `tsbpf types`
// (same names, same shape, the same augmentation of "tsbpf"), declaring only what these probes
// reach. The whole vmlinux costs the language service some 6–10 s to parse and bind on this
// machine (measured: see D139) for nothing these assertions need; test/unit/editor.test.ts
// type-checks the examples against the whole shipped snapshot.

import { readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import * as ts from "typescript";
import { Kind } from "../../compiler/btf/btf-kinds.js";
import { loadBtf } from "../../compiler/btf/kernel-types.js";
import { documentedTsconfig, kernelTypesText } from "../helpers/editor-project.js";
import { repo } from "../helpers/tsbpf-command.js";

const PROJECT = "/project";
const INSTALLED = join(PROJECT, "node_modules", "tsbpf");

const probes: Record<string, string> = {
  // A Ptr<file> where a Ptr<task_struct> is wanted; a u64 field where a Str is.
  "wrong-types.ts": `import { tracepoint, currentTask, type Ptr, type Str } from "tsbpf";
import type { task_struct, file } from "tsbpf/kernel";

function parentOf(task: Ptr<task_struct>) {
  return task.real_parent.tgid;
}
function show(name: Str<16>) {}
function ownerOf(f: Ptr<file>) {
  return parentOf(f);
}
export const t = tracepoint("sched/sched_process_exec", () => {
  const task = currentTask();
  show(task.comm);
  show(task.start_time);
});
`,
  // A field the struct does not have.
  "unknown-field.ts": `import { tracepoint, currentTask } from "tsbpf";

export const t = tracepoint("sched/sched_process_exec", () => {
  const ppid = currentTask().real_parnt.tgid;
});
`,
  // A field the tracepoint's record does not have.
  "tracepoint-field.ts": `import { tracepoint, type UserPtr, type u8 } from "tsbpf";

export const t = tracepoint("syscalls/sys_enter_openat", (ctx) => {
  const name: UserPtr<u8> = ctx.filename;
  const bad = ctx.filenam;
});
`,
  // A kernel function this kernel does not have, named through the prototypes' interface.
  "unknown-function.ts": `import type { KernelFunctions } from "tsbpf";

type VfsRead = KernelFunctions["vfs_read"];
type Missing = KernelFunctions["vfs_raed"];
`,
  // A kprobe's parameters typed from the function's prototype (KernelFunctions).
  "kprobe-arguments.ts": `import { kprobe, type Ptr } from "tsbpf";
import type { task_struct } from "tsbpf/kernel";

function parentOf(task: Ptr<task_struct>) {
  return task.real_parent.tgid;
}
export const read = kprobe("vfs_read", (file, buf, count) => {
  parentOf(file);
});
export const unknown = kprobe("vfs_raed", (file) => {
  parentOf(file);
});
`,
  // Completion and hover: \`task.\` at the end of line 4.
  "completion.ts": `import { tracepoint, currentTask } from "tsbpf";

export const t = tracepoint("sched/sched_process_exec", () => {
  const parent = currentTask().real_parent;
  parent.
});
`,
};

/** The names these probes reach in the kernel: what `tsbpf types` would write of them. */
const kernelTypesFile = () => kernelTypesText(Object.values(probes));

/** A language service over the in-memory project; tsbpf's files are read from this checkout. */
function languageService(): { service: ts.LanguageService; kernelText: string; host: ts.LanguageServiceHost } {
  const kernelText = kernelTypesFile();
  const files = new Map<string, string>([
    [join(PROJECT, "tsconfig.json"), documentedTsconfig()],
    [join(PROJECT, "kernel-types", "vmlinux.d.ts"), kernelText],
    [join(PROJECT, "kernel-types", "tracepoints.d.ts"), readFileSync(repo("stdlib/kernel/tracepoints.d.ts"), "utf8")],
    ...Object.entries(probes).map(([name, text]) => [join(PROJECT, name), text] as [string, string]),
  ]);
  const onDisk = (path: string) => (path === INSTALLED || path.startsWith(INSTALLED + "/") ? repo(relative(INSTALLED, path)) : undefined);
  const fileExists = (path: string) => {
    if (files.has(path)) return true;
    const real = onDisk(path);
    try {
      return real !== undefined && statSync(real).isFile();
    } catch {
      return false;
    }
  };
  const readFile = (path: string) => files.get(path) ?? (fileExists(path) ? readFileSync(onDisk(path)!, "utf8") : undefined);
  const directoryExists = (path: string) => {
    if ([...files.keys()].some((f) => f.startsWith(path + "/")) || INSTALLED.startsWith(path + "/")) return true;
    const real = onDisk(path);
    try {
      return real !== undefined && statSync(real).isDirectory();
    } catch {
      return false;
    }
  };
  const configHost: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: true,
    fileExists,
    readFile,
    // The documented "include" is ["*.ts"]: the probes beside tsconfig.json, no deeper.
    readDirectory: (root, extensions) => [...files.keys()].filter((f) => dirname(f) === root && extensions.some((e) => f.endsWith(e))),
  };
  const configFile = join(PROJECT, "tsconfig.json");
  const json = ts.parseConfigFileTextToJson(configFile, files.get(configFile)!);
  if (json.error) throw new Error(ts.flattenDiagnosticMessageText(json.error.messageText, "\n"));
  const config = ts.parseJsonConfigFileContent(json.config, configHost, PROJECT, undefined, configFile);
  expect(config.errors).toEqual([]);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => config.options,
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (path) => {
      const text = readFile(path);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => PROJECT,
    getDefaultLibFileName: () => join(INSTALLED, "stdlib", "lib.d.ts"),
    fileExists,
    readFile,
    directoryExists,
    realpath: (p) => p,
    getDirectories: () => [],
    useCaseSensitiveFileNames: () => true,
  };
  return { service: ts.createLanguageService(host, ts.createDocumentRegistry()), kernelText, host };
}

interface Shown {
  line: number; // 1-based, as the editor shows it
  column: number;
  length: number;
  text: string; // the source under the span
  code: number;
  message: string; // the first line of the message chain
}

let service: ts.LanguageService;
let kernelText: string;
let startupMs: number;
let host: ts.LanguageServiceHost;

beforeAll(() => {
  const started = performance.now();
  ({ service, kernelText, host } = languageService());
  service.getSemanticDiagnostics(join(PROJECT, "completion.ts"));
  startupMs = performance.now() - started;
});

function errorsIn(name: string): Shown[] {
  const file = join(PROJECT, name);
  const sf = service.getProgram()!.getSourceFile(file)!;
  return [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map((d) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start!);
    const message = typeof d.messageText === "string" ? d.messageText : d.messageText.messageText;
    return { line: line + 1, column: character + 1, length: d.length!, text: sf.text.slice(d.start!, d.start! + d.length!), code: d.code, message };
  });
}

/** The offset just after `marker`'s first occurrence in probe `name`. */
const after = (name: string, marker: string) => probes[name].indexOf(marker) + marker.length;

test("the project is set up as docs/editor.md says, and quickly", () => {
  const options = service.getProgram()!.getCompilerOptions();
  expect(options.noLib).toBe(true);
  expect(options.paths?.["tsbpf/kernel"]).toEqual(["./kernel-types/vmlinux.d.ts"]);
  // "tsbpf" resolves through the installed package's exports, "tsbpf/kernel" through paths.
  const program = service.getProgram()!;
  const resolved = (spec: string) => ts.resolveModuleName(spec, join(PROJECT, "wrong-types.ts"), options, host as ts.ModuleResolutionHost).resolvedModule;
  expect(resolved("tsbpf")?.resolvedFileName).toBe(join(INSTALLED, "stdlib", "index.d.ts"));
  expect(resolved("tsbpf/kernel")?.resolvedFileName).toBe(join(PROJECT, "kernel-types", "vmlinux.d.ts"));
  // The errors below are the probes' own: tsbpf's and the kernel's declarations have none.
  expect(program.getGlobalDiagnostics()).toEqual([]);
  process.stdout.write(`language service: project loaded and first file checked in ${startupMs.toFixed(0)} ms (${(kernelText.length / 1024).toFixed(0)} KB of kernel types)\n`);
  expect(startupMs).toBeLessThan(15_000);
});

test("an argument of the wrong type: a Ptr<file> for a Ptr<task_struct>, a u64 field for a Str", () => {
  expect(errorsIn("wrong-types.ts")).toEqual([
    { line: 9, column: 19, length: 1, text: "f", code: 2345, message: "Argument of type 'Ptr<file>' is not assignable to parameter of type 'Ptr<task_struct>'." },
    { line: 14, column: 8, length: 15, text: "task.start_time", code: 2345, message: "Argument of type 'u64' is not assignable to parameter of type 'Str<16>'." },
  ]);
});

test("an unknown struct field, with the kernel's nearest name", () => {
  expect(errorsIn("unknown-field.ts")).toEqual([
    { line: 4, column: 30, length: 10, text: "real_parnt", code: 2551, message: "Property 'real_parnt' does not exist on type 'Ptr<task_struct>'. Did you mean 'real_parent'?" },
  ]);
});

test("a tracepoint field its record does not have", () => {
  expect(errorsIn("tracepoint-field.ts")).toEqual([
    {
      line: 5,
      column: 19,
      length: 7,
      text: "filenam",
      code: 2551,
      message: "Property 'filenam' does not exist on type 'TracepointContext<tracepoint__syscalls__sys_enter_openat>'. Did you mean 'filename'?",
    },
  ]);
});

test("an unknown kernel function", () => {
  expect(loadBtf().idsNamed("vfs_raed")).toEqual([]);
  // An indexed access type gets no "did you mean" from TypeScript (a property access would).
  expect(errorsIn("unknown-function.ts")).toEqual([
    { line: 4, column: 32, length: 10, text: '"vfs_raed"', code: 2339, message: "Property 'vfs_raed' does not exist on type 'KernelFunctions'." },
  ]);
});

test("a kprobe handler's parameters are typed from the function's prototype", () => {
  // An unknown function in kprobe(…) is no error in the editor: kprobe's overload for functions
  // without BTF (another kernel's) takes any name and untyped parameters. `tsbpf run` reports it
  // as it attaches (--missing-probes), with the kernel's nearest names; KernelFunctions["vfs_raed"]
  // (above) is where the editor says it.
  expect(errorsIn("kprobe-arguments.ts")).toEqual([
    { line: 8, column: 12, length: 4, text: "file", code: 2345, message: "Argument of type 'Ptr<file>' is not assignable to parameter of type 'Ptr<task_struct>'." },
  ]);
  const info = service.getQuickInfoAtPosition(join(PROJECT, "kprobe-arguments.ts"), after("kprobe-arguments.ts", '"vfs_read", (fi'))!;
  expect(ts.displayPartsToString(info.displayParts)).toBe("(parameter) file: Ptr<file>");
});

test("completion after `task.` offers the kernel struct's fields", () => {
  const file = join(PROJECT, "completion.ts");
  const completions = service.getCompletionsAtPosition(file, after("completion.ts", "parent."), {})!;
  const names = completions.entries.map((e) => e.name);
  expect(names).toEqual(expect.arrayContaining(["real_parent", "parent", "tgid", "pid", "comm", "mm"]));
  // Only the struct's fields: the pointer's brands are symbols, not names.
  expect(names.every((n) => /^[A-Za-z_$][\w$]*$/.test(n))).toBe(true);
});

test("completion of a tracepoint's name offers the records' names", () => {
  const file = join(PROJECT, "tracepoint-field.ts");
  const completions = service.getCompletionsAtPosition(file, after("tracepoint-field.ts", '"syscalls/sys_enter_open'), {})!;
  expect(completions.entries.map((e) => e.name)).toEqual(expect.arrayContaining(["syscalls/sys_enter_openat", "syscalls/sys_enter_openat2", "sched/sched_process_exec"]));
});

test("hover on a field shows its type and its offset in the struct", () => {
  const file = join(PROJECT, "completion.ts");
  const info = service.getQuickInfoAtPosition(file, after("completion.ts", "currentTask().real_"))!;
  expect(ts.displayPartsToString(info.displayParts)).toBe("(property) real_parent: Ptr<task_struct>");
  const btf = loadBtf();
  const task = btf.find("task_struct", Kind.Struct)!;
  const offset = btf.members(task).find((m) => m.name === "real_parent")!.bitOffset / 8;
  expect(ts.displayPartsToString(info.documentation)).toBe(`offset ${offset} bytes`);
  expect(kernelText).toContain(`/** offset ${offset} bytes */\n  real_parent: Ptr<task_struct>;`);
});
