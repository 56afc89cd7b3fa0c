// Runs the real `tsbpf` command the way a user does, and watches its output.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../contract/paths.js";

export const TSBPF = join(packageRoot, "bin", "tsbpf");
export const repo = (...p: string[]) => join(packageRoot, ...p);

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tsbpf(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; user?: number } = {}): Finished {
  const argv = opts.user !== undefined ? ["setpriv", `--reuid=${opts.user}`, `--regid=${opts.user}`, "--clear-groups", TSBPF, ...args] : [TSBPF, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? packageRoot, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A running `tsbpf` whose output can be awaited line by line. */
export class Running {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  /** `wrapper` runs tsbpf inside another command, e.g. ["unshare", "-m", "sh", "-c", "…; exec \"$0\" \"$@\""]. */
  constructor(args: string[], env?: NodeJS.ProcessEnv, wrapper: string[] = []) {
    const argv = [...wrapper, TSBPF, ...args];
    this.child = spawn(argv[0], argv.slice(1), { cwd: packageRoot, env: { ...process.env, ...env } });
    this.child.stdout!.on("data", (d) => (this.stdout += d));
    this.child.stderr!.on("data", (d) => (this.stderr += d));
    // "close", not "exit": stdout and stderr are read to the end by then.
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  /** Resolves when `stream` matches `re`; rejects after `ms` with what was seen. */
  async waitFor(stream: "stdout" | "stderr", re: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this[stream].match(re);
      if (m) return m;
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`no ${re} on ${stream} within ${ms} ms (exit ${this.child.exitCode})\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * `tsbpf run probe --pid` of `counted`'s process while `counted` and then `other` call the probed
 * code once let go: what the run printed at its end (after SIGINT), its maps read to the end.
 */
export async function runLimitedToPid(probe: string, counted: { pid?: number; go(): Promise<unknown> }, other: { go(): Promise<unknown> }): Promise<string> {
  const run = new Running(["run", probe, "--pid", String(counted.pid)]);
  try {
    await run.waitFor("stderr", /Attached 1 program/);
    await counted.go();
    await other.go();
    run.child.kill("SIGINT");
    await run.exited; // the maps printed at exit, read to the end
  } finally {
    run.child.kill("SIGKILL");
  }
  return run.stdout;
}

/** A line of a JavaScript stack trace. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** No JavaScript stack in what a user sees. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(STACK_LINE);
  expect(text).not.toMatch(/internal error/);
}
