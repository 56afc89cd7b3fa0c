// V8's code cache for tsbpf's own modules (compiler/module-code-cache.ts, D155): code that V8
// runs, so a trust boundary like every cache file. Each case runs a real node process that
// installs the cache over a folder of modules of its own, requires them, and exits; the cache
// must be used only where this user alone wrote it, and only for the text it was made from.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeModuleCache, encodeModuleCache } from "../../compiler/module-code-cache.js";
import { BtfBuilder } from "../helpers/btf-builder.js";
import { privateFolders } from "../helpers/private-folders.js";
import { repo, tsbpf } from "../helpers/tsbpf-command.js";

const NOBODY = 65534;
const privateFolder = privateFolders("tsbpf-module-cache-");

/** A cache folder of root's, 0700, and a folder of modules to load: main.js requires the others. */
function setUp(): { cache: string; modules: string; main: string } {
  const top = privateFolder();
  const modules = join(top, "modules");
  mkdirSync(modules);
  writeFileSync(join(modules, "answer.js"), "module.exports = { answer: () => 41 + 1 };\n");
  writeFileSync(join(modules, "main.js"), 'const { answer } = require("./answer.js");\nprocess.stdout.write(`${answer()} ${require.resolve("./answer.js") === __dirname + "/answer.js"}\\n`);\n');
  return { cache: join(top, "cache"), modules, main: join(modules, "main.js") };
}

/** node, with the modules below `modules` cached in `cache`, running main.js. */
function run(cache: string, modules: string, main: string): { code: number | null; stdout: string; stderr: string } {
  const script = `require(${JSON.stringify(repo("dist/compiler/module-code-cache.js"))}).cacheOwnModules(${JSON.stringify(modules)}); require(${JSON.stringify(main)});`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TSBPF_CACHE_DIR: cache, XDG_CACHE_HOME: undefined } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cacheFile = (cache: string): string => {
  const names = readdirSync(join(cache, "v8")).filter((n) => n.startsWith("modules-"));
  expect(names).toHaveLength(1);
  return join(cache, "v8", names[0]);
};

test("the cache is written once, 0600, and the next run uses every entry without writing again", () => {
  const { cache, modules, main } = setUp();
  expect(run(cache, modules, main)).toEqual({ code: 0, stdout: "42 true\n", stderr: "" });
  const file = cacheFile(cache);
  expect(lstatSync(file)).toMatchObject({ uid: 0, mode: 0o100600 });
  expect([...decodeModuleCache(readFileSync(file)).keys()].sort()).toEqual(["answer.js", "main.js"]);
  const written = statSync(file).mtimeMs;
  // A rewrite would mean V8 rejected an entry, or one was missing.
  expect(run(cache, modules, main)).toEqual({ code: 0, stdout: "42 true\n", stderr: "" });
  expect(statSync(file).mtimeMs).toBe(written);
});

test("a module whose text changed (to one of the same length) runs its new text, and its entry is replaced", () => {
  const { cache, modules, main } = setUp();
  run(cache, modules, main);
  const file = cacheFile(cache);
  const before = decodeModuleCache(readFileSync(file)).get("answer.js")!.hash;
  // V8 itself checks only the length of the source a cache was made from.
  writeFileSync(join(modules, "answer.js"), "module.exports = { answer: () => 41 + 2 };\n");
  expect(run(cache, modules, main).stdout).toBe("43 true\n");
  expect(decodeModuleCache(readFileSync(file)).get("answer.js")!.hash).not.toBe(before);
});

test.each([
  ["owned by another user", (f: string) => chownSync(f, NOBODY, NOBODY), `is owned by uid ${NOBODY}, not by uid 0`],
  ["writable by its group", (f: string) => chmodSync(f, 0o620), "is writable by its group (mode 620)"],
  ["writable by everyone", (f: string) => chmodSync(f, 0o606), "is writable by other users (mode 606)"],
])("a cache file %s is not used, and is replaced by one of this user's", (_, spoil, reason) => {
  const { cache, modules, main } = setUp();
  run(cache, modules, main);
  const file = cacheFile(cache);
  // What a planted cache could hold: code of its own for main.js (here, another module's).
  const planted = decodeModuleCache(readFileSync(file));
  writeFileSync(file, encodeModuleCache([{ ...planted.get("main.js")!, data: planted.get("answer.js")!.data }]));
  spoil(file);
  const r = run(cache, modules, main);
  expect([r.code, r.stdout]).toEqual([0, "42 true\n"]);
  expect(r.stderr).toContain(`tsbpf: warning: not using the cache at ${cache}: ${file} ${reason}`);
  expect(lstatSync(file)).toMatchObject({ uid: 0, mode: 0o100600 });
  expect([...decodeModuleCache(readFileSync(file)).keys()].sort()).toEqual(["answer.js", "main.js"]);
});

test("a symbolic link at the cache's name is neither read nor written through", () => {
  const { cache, modules, main } = setUp();
  run(cache, modules, main);
  const file = cacheFile(cache);
  const victim = join(cache, "precious");
  writeFileSync(victim, "precious\n");
  rmSync(file);
  symlinkSync(victim, file);
  const r = run(cache, modules, main);
  expect([r.code, r.stdout]).toEqual([0, "42 true\n"]);
  expect(r.stderr).toContain(`${file} is a symbolic link`);
  expect(readFileSync(victim, "utf8")).toBe("precious\n");
  expect(lstatSync(file).isFile()).toBe(true);
});

test.each([
  ["garbage", () => Buffer.from("not a cache at all")],
  ["a truncated file", (valid: Buffer) => valid.subarray(0, valid.length - 10)],
  ["an index that lies about its length", (valid: Buffer) => Buffer.concat([valid, Buffer.from("extra")])],
  ["entries V8 rejects", (valid: Buffer) => encodeModuleCache([...decodeModuleCache(valid).values()].map((e) => ({ ...e, data: Buffer.alloc(e.data.length, 7) })))],
])("%s: the modules compile from their source, quietly, and the cache is rewritten", (_, corrupt) => {
  const { cache, modules, main } = setUp();
  run(cache, modules, main);
  const file = cacheFile(cache);
  const valid = readFileSync(file);
  writeFileSync(file, corrupt(valid));
  expect(run(cache, modules, main)).toEqual({ code: 0, stdout: "42 true\n", stderr: "" });
  expect(decodeModuleCache(readFileSync(file)).size).toBe(2);
});

test("the index decodes only a whole, well-formed file", () => {
  const entries = [
    { file: "a.js", hash: "h1", data: Buffer.from([1, 2, 3]) },
    { file: "b/c.js", hash: "h2", data: Buffer.alloc(0) },
  ];
  const bytes = encodeModuleCache(entries);
  expect([...decodeModuleCache(bytes).values()].map((e) => [e.file, e.hash, [...e.data]])).toEqual([
    ["a.js", "h1", [1, 2, 3]],
    ["b/c.js", "h2", []],
  ]);
  for (let cut = 0; cut < bytes.length; cut++) expect(decodeModuleCache(bytes.subarray(0, cut)).size).toBe(0);
  expect(decodeModuleCache(undefined).size).toBe(0);
});

test("a cache folder that cannot be used: the command runs as before, says nothing about it, and writes nothing", () => {
  const theirs = privateFolder();
  chownSync(theirs, NOBODY, NOBODY);
  const r = tsbpf(["--version"], { env: { TSBPF_CACHE_DIR: theirs } });
  expect(r.code).toBe(0);
  expect(r.stderr).toBe("");
  expect(readdirSync(theirs)).toEqual([]);
});

test("tsbpf types sets V8's flags for its generator and back: the cache it writes is the one the next run takes", () => {
  const top = privateFolder();
  const b = new BtfBuilder();
  const int = b.int("int", 4, true);
  b.func("wake", int, [["t", b.ptr(b.struct("task", 8, [["pid", int, 0]]))]]);
  writeFileSync(join(top, "small.btf"), b.bytes());
  const env = { TSBPF_CACHE_DIR: join(top, "cache"), XDG_CACHE_HOME: undefined };
  const types = () => tsbpf(["types", "--btf", join(top, "small.btf"), "-o", top], { env });
  expect(types().code).toBe(0);
  const file = cacheFile(join(top, "cache"));
  expect(decodeModuleCache(readFileSync(file)).has("compiler/btf/declarations.js")).toBe(true);
  const written = statSync(file).mtimeMs;
  // Written under the generator's inlining budget, every entry was refused by the next run and written again.
  expect(types().code).toBe(0);
  expect(statSync(file).mtimeMs).toBe(written);
});
