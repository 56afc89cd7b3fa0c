// A mutant through the real `tsbpf build`, as a user runs it: the launcher's exit code and what
// it prints are part of the contract (0 and an ELF object, or 1 with `file:line:col: error`
// first and no JavaScript stack), which compiling in process does not see.

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../contract/paths.js";
import { STACK_LINE, TSBPF } from "../helpers/tsbpf-command.js";
import { normalize, type Failure } from "./verdict.js";

const TIMEOUT_MS = 30_000;
/** What every failure class found through the CLI starts with. */
export const CLI_CLASS = "cli ";

export async function buildThroughCli(file: string, parts: number | undefined, outDir: string): Promise<Failure | undefined> {
  const out = join(outDir, "out.bpf.o");
  rmSync(out, { force: true });
  const args = ["build", file, "-o", out, ...(parts ? ["-j", String(parts)] : [])];
  const child = spawn(TSBPF, args, { cwd: packageRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stdout.resume();
  child.stderr.on("data", (d) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), child.kill("SIGKILL")), TIMEOUT_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
  clearTimeout(timer);
  const seen = `$ tsbpf ${args.join(" ")}\n(exit ${signal ?? code})\n${stderr}`;
  if (timedOut) return { cls: `${CLI_CLASS}hang`, detail: seen };
  if (signal) return { cls: `${CLI_CLASS}died ${signal}`, detail: seen };
  if (code === 0) return isElf(out) ? undefined : { cls: `${CLI_CLASS}no object`, detail: seen };
  if (code !== 1) return { cls: `${CLI_CLASS}exit ${code}: ${normalize(stderr)}`, detail: seen };
  // The first error line (warnings, e.g. about an unusable cache, may come before it).
  const first = stderr.split("\n").find((l) => /\berror\b/.test(l)) ?? "";
  if (!first.startsWith(`${file}:`) || !/^:(\d+:\d+:)? error/.test(first.slice(file.length))) return { cls: `${CLI_CLASS}unlocated: ${normalize(first)}`, detail: seen };
  if (STACK_LINE.test(stderr) || /internal error/.test(stderr)) return { cls: `${CLI_CLASS}stack`, detail: seen };
  return undefined;
}

function isElf(path: string): boolean {
  try {
    return readFileSync(path).subarray(0, 4).toString("latin1") === "\x7fELF";
  } catch {
    return false;
  }
}
