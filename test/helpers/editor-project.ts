// A probe project set up as docs/editor.md says, for tests of what the editor shows: the tsconfig
// the page tells users to write, the kernel's types as `tsbpf types` writes them, and TypeScript's
// language service over it with the plugin loaded as tsserver loads it.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import * as ts from "typescript";
import type { TsbpfError } from "../../contract/errors.js";
import { packageRoot } from "../../contract/paths.js";
import { kernelSubset } from "../../compiler/btf/kernel-subset.js";
import { loadBtf } from "../../compiler/btf/kernel-types.js";
import { IMPORTED, nameTypes } from "../../compiler/btf/type-names.js";
import { compileErrorOf } from "./compile-error.js";
import { repo } from "./tsbpf-command.js";

/** The first ```jsonc block of docs/editor.md: the tsconfig.json it tells users to write. */
export function documentedTsconfig(): string {
  const block = /```jsonc\n([\s\S]*?)```/.exec(readFileSync(repo("docs/editor.md"), "utf8"));
  if (!block) throw new Error("docs/editor.md has no ```jsonc block");
  return block[1];
}

/**
 * kernel-types/vmlinux.d.ts for `probes`: kernelSubset()'s, the same generator as `tsbpf types`
 * (same names, same shape, the same augmentation of "tsbpf"), declaring only what the probes reach
 * (the whole vmlinux costs the language service 6–10 s to bind, D139).
 * TSBPF_EDITOR_VMLINUX=stdlib/kernel/vmlinux.d.ts uses a whole module instead.
 */
export function kernelTypesText(probes: readonly string[]): string {
  const whole = process.env.TSBPF_EDITOR_VMLINUX;
  if (whole) return readFileSync(whole, "utf8");
  const btf = loadBtf();
  const properties = new Set<string>();
  for (const text of probes) for (const m of text.matchAll(/\.\s*([A-Za-z_$][\w$]*)/g)) properties.add(m[1]);
  const subset = kernelSubset(btf, nameTypes(btf), { types: ["task_struct", "file"], functions: ["vfs_read", "vfs_write"], properties, task: true, rawTracepoints: ["sched_switch"] });
  expect(subset.missing).toEqual({ types: [], functions: [] });
  return `import type { ${IMPORTED.join(", ")} } from "tsbpf";\n${subset.text}`;
}

/**
 * A project on disk as docs/editor.md sets one up: its tsconfig, tsbpf linked into node_modules
 * (as `npm link` makes it), the kernel's types for `probes` (kernel-types/), and the probes.
 */
export function makeEditorProject(root: string, probes: Record<string, string>): void {
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync(packageRoot, join(root, "node_modules", "tsbpf"));
  writeFileSync(join(root, "tsconfig.json"), documentedTsconfig());
  mkdirSync(join(root, "kernel-types"));
  writeFileSync(join(root, "kernel-types", "vmlinux.d.ts"), kernelTypesText(Object.values(probes)));
  writeFileSync(join(root, "kernel-types", "tracepoints.d.ts"), readFileSync(repo("stdlib/kernel/tracepoints.d.ts")));
  for (const [name, text] of Object.entries(probes)) writeFileSync(join(root, name), text);
}

/** The plugin as TypeScript's server finds it: "tsbpf/plugin" from the project's node_modules (Node 10 resolution: no "exports"). */
function pluginFactory(root: string): ts.server.PluginModuleFactory {
  const resolved = ts.resolveModuleName("tsbpf/plugin", join(root, "node_modules", "index.js"), { moduleResolution: ts.ModuleResolutionKind.Node10, allowJs: true }, ts.sys).resolvedModule;
  expect(resolved?.resolvedFileName).toMatch(/\/plugin\/index\.js$/);
  return createRequire(join(root, "package.json"))("tsbpf/plugin");
}

export interface EditorService {
  service: ts.LanguageService;
  /** What the plugin wrote to the server's log. */
  log: string[];
  /** Replaces a file's text, as the editor does while the author types. */
  edit(name: string, text: string): void;
  text(name: string): string;
}

/** TypeScript's language service over `root` (its tsconfig, its files on disk), with the plugin created into it as tsserver does. */
export function editorService(root: string): EditorService {
  const configFile = join(root, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } })!;
  expect(config.errors).toEqual([]);
  expect(config.options.plugins).toEqual([{ name: "tsbpf/plugin" }]);
  const edits = new Map<string, { text: string; version: number }>();
  const read = (path: string) => edits.get(path)?.text ?? ts.sys.readFile(path);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => config.options,
    getScriptFileNames: () => config.fileNames,
    getScriptVersion: (path) => String(edits.get(path)?.version ?? 0),
    getScriptSnapshot: (path) => {
      const text = read(path);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => root,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (path) => edits.has(path) || ts.sys.fileExists(path),
    readFile: read,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    useCaseSensitiveFileNames: () => true,
  };
  const log: string[] = [];
  const base = ts.createLanguageService(host, ts.createDocumentRegistry());
  // What tsserver hands a plugin: its project (whose service's logger is the server's log), the service and the host.
  const info = { languageService: base, languageServiceHost: host, project: { projectService: { logger: { info: (m: string) => log.push(m) } } }, config: { name: "tsbpf/plugin" }, serverHost: ts.sys };
  const service = pluginFactory(root)({ typescript: ts }).create(info as unknown as ts.server.PluginCreateInfo);
  return {
    service,
    log,
    edit: (name, text) => edits.set(join(root, name), { text, version: (edits.get(join(root, name))?.version ?? 0) + 1 }),
    text: (name) => read(join(root, name))!,
  };
}

/** A diagnostic as the author sees it: where, what it underlines, the message and the hint under it. */
export interface Shown {
  code: number;
  source?: string;
  line: number;
  column: number;
  length: number;
  text: string;
  message: string;
  hint?: string;
}

/** `d` as the author sees it (one about no place in the file, such as a missing global type, at line 0). */
export function shown(sf: ts.SourceFile, d: ts.Diagnostic): Shown {
  const { line, character } = d.start === undefined ? { line: -1, character: -1 } : sf.getLineAndCharacterOfPosition(d.start);
  const chain = typeof d.messageText === "string" ? { messageText: d.messageText, next: undefined } : d.messageText;
  const hint = chain.next?.[0]?.messageText.replace(/^hint: /, "");
  return { code: d.code, ...(d.source && { source: d.source }), line: line + 1, column: character + 1, length: d.length!, text: sf.text.slice(d.start!, d.start! + d.length!), message: chain.messageText, ...(hint && { hint }) };
}

/** What the editor shows for `file`: TypeScript's diagnostics and the plugin's. */
export function editorDiagnostics(s: EditorService, file: string): Shown[] {
  const diagnostics = [...s.service.getSyntacticDiagnostics(file), ...s.service.getSemanticDiagnostics(file)];
  const sf = s.service.getProgram()!.getSourceFile(file)!;
  return diagnostics.map((d) => shown(sf, d));
}

/** `tsbpf build`'s errors for `file` (compiled by the real compiler), as the plugin would show them. */
export function compilerDiagnostics(file: string): Shown[] {
  const e = compileErrorOf(file);
  if (!e) return [];
  const text = readFileSync(file, "utf8");
  return [e, ...(e.options.related ?? [])].map((x: TsbpfError) => {
    const at = x.at!;
    const lineText = text.split("\n")[at.line - 1];
    return { code: Number(x.code!.replace(/^TSB/, "")), source: "tsbpf", line: at.line, column: at.column, length: at.length ?? 1, text: lineText.slice(at.column - 1, at.column - 1 + (at.length ?? 1)), message: x.message, ...(x.options.hint && { hint: x.options.hint }) };
  });
}
