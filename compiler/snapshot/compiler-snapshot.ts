// The CLI's builds run in a process started from the compiler's start-up snapshot: a heap with
// TypeScript loaded and tsbpf's declarations parsed (compile-server.ts), which V8 maps back
// faster than a process loads and parses all that itself (D156); that process lowers the probe
// and this one runs LLVM on its IR (D200). The snapshot is code that V8 runs, so it is a cache file like any other: in the
// trusted cache folder (cache-dir.ts), named for this installation, this build of the compiler
// and its declarations, TypeScript, Node and its options, and handed to the compiler's process
// as the very file that was checked (/dev/fd/3). It is made by a build in this process that found
// V8's code cache for TypeScript warm (a second build: the first of a fresh cache does not pay
// for it), in a private folder, then renamed into place. Without one, or when the compiler's
// process does not answer, the build runs in this process as it always did.

import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, lstatSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../contract/paths.js";
import { cacheDir, dropCached, dropOtherVersions, openCached, relayStderr, writeCached } from "../cache-dir.js";
import { criticalPath, type CompileOptions, type CompileResult, type LoweringTarget } from "../compile-options.js";
import { loweringTargetHere, PartsFromElsewhere } from "../llvm/build-object.js";
import { compilerFingerprint } from "../object-cache.js";
import { makePrivateDirectory, writableByOthers } from "../trusted-files.js";
import { codeCacheFlagsKey } from "../v8-tuning.js";
import { AnswerReader, type AnswerFrame, type CompileRequest, type FinalFrame } from "./compile-protocol.js";

/** How a process is ended from outside: nothing to do with the snapshot it started from. */
const STOPPED_FROM_OUTSIDE = new Set<NodeJS.Signals>(["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL", "SIGQUIT"]);

/** A snapshot is about 20 MB; a much larger file is not one tsbpf made. */
const MAX_SNAPSHOT_BYTES = 1 << 30;
/** Making a snapshot takes a second or two; one that takes minutes is stuck. */
const BUILD_TIMEOUT_MS = 120_000;

/** Where this installation's snapshot for this compiler, TypeScript, Node and options is, if the cache is used. */
function snapshotPath(): { dir: string; path: string; prefix: string } | undefined {
  // Node's own options (a profiler, a stack size) are the user's choice for this process: its
  // build stays in it.
  if (process.execArgv.length) return undefined;
  const dir = cacheDir("v8");
  if (!dir) return undefined;
  const prefix = `compiler-${createHash("sha1").update(packageRoot).digest("hex").slice(0, 8)}-`;
  const typescript = (require("typescript/package.json") as { version: string }).version;
  const name = `${prefix}${compilerFingerprint().slice(0, 16)}-ts-${typescript}-node-${process.versions.node}-${codeCacheFlagsKey()}.blob`;
  return { dir, path: join(dir, name), prefix };
}

/**
 * The build of `file` (its text `source`) by a process started from the snapshot, up to LLVM, and
 * by LLVM here: its result, or the user's error it found (thrown); undefined where there is no
 * snapshot, or the process gave no answer (the caller builds in this process).
 */
export async function compileInSnapshot(file: string, source: string, opts: CompileOptions): Promise<CompileResult | undefined> {
  const where = snapshotPath();
  const fd = where && openCached(where.path, MAX_SNAPSHOT_BYTES);
  if (!where || fd === undefined) return undefined;
  const started = performance.now();
  const probe = { fileName: file, text: source };
  let target: LoweringTarget | undefined;
  // LLVM here, on each part of the IR as it comes, while the compiler's process goes on.
  let here: PartsFromElsewhere | undefined;
  let lowered: Omit<CompileResult, "object"> | undefined;
  /** The IR is for another LLVM than the one that loaded: the first found would not load. */
  let otherLLVM = false;
  /** Why LLVM could not start here (no libLLVM): the user's errors, if any, come first. */
  let failure: unknown;
  const takePart = (ir: string, of: number): void => {
    if (otherLLVM || failure !== undefined) return;
    try {
      if (!here) {
        if (libLLVM().loadLibLLVM().opaquePointers !== target?.opaquePointers) return void (otherLLVM = true);
        here = new PartsFromElsewhere(probe, opts.cpu);
      }
      here.add(ir, of);
    } catch (e) {
      failure = e;
    }
  };
  let ran: Ran;
  try {
    // The compiler's process starts first; this one loads libLLVM and readies it while it works.
    const ask = (): CompileRequest => {
      // koffi, libbpf and libLLVM: loaded once the compiler's process is on its way.
      target = loweringTargetHere();
      libLLVM().preloadLibLLVM(() => {
        try {
          (require("../llvm/codegen.js") as typeof import("../llvm/codegen.js")).readyCodegen(opts.cpu);
        } catch {
          // no usable libLLVM: the build's own loadLibLLVM says so, after the user's errors
        }
      });
      return { file, source, options: { cpu: opts.cpu, parts: opts.parts, emitLLVM: opts.emitLLVM, tuneV8: opts.tuneV8 }, target };
    };
    ran = await runCompiler(fd, ask, (frame) => {
      if ("part" in frame) takePart(frame.part.ir, frame.part.of);
      else if ("lowered" in frame) lowered = frame.lowered;
    });
  } finally {
    closeSync(fd);
  }
  const { final } = ran;
  // The parts compiled here make the object only where the check passed and all went well here.
  const building = final && "checked" in final && failure === undefined && !otherLLVM && lowered ? here : undefined;
  if (here !== building) here?.abandon();
  if (!final) {
    // A process that ended by itself without an answer, or crashed (V8 aborts on a snapshot it
    // cannot read), did not start from this snapshot: it is not tried again (until the
    // compiler, TypeScript or Node changes). One stopped from outside (the user's Ctrl-C, the
    // OOM killer) says nothing about it. What it wrote is Node's about the snapshot: the build
    // in this process says what matters.
    if (ran.signal === null || !STOPPED_FROM_OUTSIDE.has(ran.signal)) failed(where.path);
    return undefined;
  }
  relayStderr(ran.stderr); // a warning about the cache, as a build in this process would give it
  if ("error" in final) throw final.error;
  if (failure !== undefined) throw failure;
  // A bug: the build in this process shows it, with a stack of this process.
  if ("bug" in final || !building || !lowered) return undefined;
  const answered = performance.now();
  const { object, background } = await building.object();
  const { timings } = final.checked;
  // The compiler's process, less the phases it timed: its start-up and the answer's way here.
  timings.snapshot = answered - started - criticalPath(timings);
  // What LLVM took here once the check had passed: the rest overlapped it.
  timings.llvm = (timings.llvm ?? 0) + performance.now() - answered;
  return { ...lowered, object, timings: { ...timings, "llvm.bg": background } };
}

const libLLVM = () => require("../llvm/libllvm.js") as typeof import("../llvm/libllvm.js");

interface Ran {
  /** How the answer ended, if it was one whole. */
  final?: FinalFrame;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the compiler's process on the request `ask` makes once it is started, handing each frame
 * of its answer to `onFrame` as it comes. Resolves once it has closed its output (after its
 * answer, before it exits: its heap is torn down while the CLI goes on); where it gave no whole
 * answer, once it has exited, with how.
 */
function runCompiler(snapshot: number, ask: () => CompileRequest, onFrame: (frame: AnswerFrame) => void): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--snapshot-blob", "/dev/fd/3"], { stdio: ["pipe", "pipe", "pipe", snapshot], env: compilerProcessEnv(process.env) });
    const answer = new AnswerReader(onFrame);
    let stderr = "";
    let open = 2;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("exit", (code, signal) => done({ code, signal })));
    const ended = () => {
      if (--open) return;
      const final = answer.end();
      if (final) resolve({ final, code: 0, signal: null, stderr });
      else void exited.then(({ code, signal }) => resolve({ code, signal, stderr }));
    };
    child.stdout!.on("data", (d: Buffer) => answer.read(d)).on("end", ended);
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString("utf8"))).on("end", ended);
    child.stdin!.on("error", () => undefined); // a process that died first: its exit says so
    child.on("error", (e) => resolve({ code: null, signal: null, stderr: `${e.message}\n` }));
    let request: CompileRequest;
    try {
      request = ask();
    } catch (e) {
      child.kill(); // it would wait for a request that does not come
      throw e; // the promise is rejected with it
    }
    child.stdin!.end(JSON.stringify(request));
  });
}

/**
 * The compiler's process's environment: this one's, with glibc's malloc asked to back its large
 * blocks with transparent huge pages (where the kernel gives them on request, "madvise"). Node
 * reads the 20 MB snapshot into blocks of its own: in 4 kB pages that is half the process's
 * 17,500 page faults, and about 15 % of its start (D194). A tunable the user set stays theirs.
 */
export function compilerProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES;
  if (tunables?.includes("glibc.malloc.hugetlb")) return env;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : "glibc.malloc.hugetlb=1" };
}

const failedMark = (path: string): string => `${path}.failed`;

function failed(path: string): void {
  dropCached(path);
  writeCached(failedMark(path), "");
}

/**
 * After a build in this process: makes the snapshot if there is none (or only one that was not
 * this user's) and this was not the first build with these caches. Takes a second or two, once
 * (`onStart` is told first); whether it made one.
 */
export function afterBuildInProcess(onStart?: () => void): boolean {
  const { typescriptFromCodeCache } = require("../frontend/typescript-loader.js") as typeof import("../frontend/typescript-loader.js");
  if (!typescriptFromCodeCache()) return false;
  const where = snapshotPath();
  if (!where || ownFile(where.path) || ownFile(failedMark(where.path))) return false;
  const work = join(where.dir, `.tsbpf-${randomBytes(8).toString("hex")}.build`);
  try {
    if (!makePrivateDirectory(work)) return false;
    // Node writes the snapshot itself, under the umask: in a folder only this user can enter.
    const blob = join(work, "compiler.blob");
    const builder = join(work, "builder.js");
    writeFileSync(builder, builderScript(join(__dirname, "snapshot-entry.js")), { mode: 0o600, flag: "wx" });
    onStart?.();
    const r = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", builder], { stdio: "ignore", timeout: BUILD_TIMEOUT_MS });
    if (r.status !== 0) {
      if (r.signal === null && !r.error) writeCached(failedMark(where.path), "");
      return false;
    }
    chmodSync(blob, 0o600);
    renameSync(blob, where.path);
    dropOtherVersions(where.path, where.prefix); // and their marks; 20 MB each
    return true;
  } catch {
    return false; // a cache that cannot be written only costs time
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The script Node's snapshot builder runs: snapshot-entry.js, with the `exports` a CommonJS
 * module has (the builder gives its script `require`, `__filename` and `__dirname` only).
 */
function builderScript(entry: string): string {
  const file = JSON.stringify(entry);
  return [
    `const { readFileSync } = require("node:fs"), { dirname } = require("node:path"), { runInThisContext } = require("node:vm");`,
    `runInThisContext(\`(function (exports, require, __filename, __dirname) {\${readFileSync(${file}, "utf8")}\\n})\`, { filename: ${file} })({}, require, ${file}, dirname(${file}));`,
    "",
  ].join("\n");
}

/** Whether `path` is a regular file of this user's that others cannot write (lstat: a link is not one). */
function ownFile(path: string): boolean {
  try {
    const st = lstatSync(path);
    return st.isFile() && writableByOthers(st, path) === undefined;
  } catch {
    return false;
  }
}
