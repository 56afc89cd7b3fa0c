// A tracefs instance of this run's own for printk's lines. bpf_trace_printk is also the trace
// event bpf_trace/bpf_trace_printk, and every instance with that event enabled gets its own copy
// of each line in its own trace_pipe: runs do not steal each other's lines, nor find the global
// pipe taken (EBUSY), nor disturb whoever reads the global pipe (docs/decisions.md, D40).

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmdir, rmdirSync, writeFileSync } from "node:fs";
import { processExists } from "./processes.js";

const PRINTK_EVENT = "events/bpf_trace/bpf_trace_printk";
/** tsbpf-<pid>-<random>: the pid tells whether the run that made it is still alive. */
const INSTANCE_NAME = /^tsbpf-(\d+)-[0-9a-f]+$/;

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? String(e);

export class TraceInstance {
  private removed = false;

  private constructor(readonly dir: string) {}

  get tracePipe(): string {
    return `${this.dir}/trace_pipe`;
  }

  /** An instance that records printk's event, or why there cannot be one here. */
  static create(tracefs: string): TraceInstance | { reason: string } {
    if (!existsSync(`${tracefs}/${PRINTK_EVENT}`)) return { reason: "this kernel has no bpf_trace/bpf_trace_printk trace event" };
    removeStaleInstances(tracefs);
    const dir = `${tracefs}/instances/tsbpf-${process.pid}-${randomBytes(6).toString("hex")}`;
    try {
      mkdirSync(dir); // fails if the name exists: the instance is ours alone
    } catch (e) {
      return { reason: `cannot make a tracefs instance in ${tracefs}/instances (${errorCode(e)})` };
    }
    const instance = new TraceInstance(dir);
    try {
      writeFileSync(`${dir}/${PRINTK_EVENT}/enable`, "1");
    } catch (e) {
      instance.remove();
      return { reason: `cannot enable ${PRINTK_EVENT} in a tracefs instance (${errorCode(e)})` };
    }
    return instance;
  }

  /** Removes the instance (which disables its events); its trace_pipe must be closed first. */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    try {
      rmdirSync(this.dir);
    } catch (e) {
      this.notRemoved(e);
    }
  }

  /**
   * As remove(), on a libuv thread. The kernel takes 40–55 ms to remove an instance: it waits for
   * tracepoint handlers while holding the lock that a link's detach takes for the same wait
   * next. Asked for together with the links' detaching (Probe.closeAsync), the waits overlap;
   * asked for a few milliseconds later (after disabling the event first, as before) they queued
   * up and made every run 10–20 ms longer (D81).
   */
  async removeAsync(): Promise<void> {
    if (this.removed) return;
    try {
      await new Promise<void>((resolve, reject) => rmdir(this.dir, (e) => (e ? reject(e) : resolve())));
    } catch (e) {
      this.notRemoved(e);
    }
    this.removed = true; // only now: an exit meanwhile still removes it (remove() sees ENOENT if both ran)
  }

  private notRemoved(e: unknown): void {
    if (errorCode(e) === "ENOENT") return; // already gone
    try {
      writeFileSync(`${this.dir}/${PRINTK_EVENT}/enable`, "0"); // it stays: at least it stops recording
    } catch {
      // nothing more to do than to say so
    }
    process.stderr.write(`tsbpf: could not remove the tracefs instance ${this.dir} (${errorCode(e)}); remove it with: rmdir ${this.dir}\n`);
  }
}

/** Removes the instances of runs that died without removing theirs (SIGKILL, a crash). */
function removeStaleInstances(tracefs: string): void {
  let names: string[];
  try {
    names = readdirSync(`${tracefs}/instances`);
  } catch {
    return;
  }
  for (const name of names) {
    const m = INSTANCE_NAME.exec(name);
    if (!m || processExists(Number(m[1]))) continue;
    try {
      rmdirSync(`${tracefs}/instances/${name}`);
    } catch {
      // EBUSY: its pipe is open after all (a run in another pid namespace); ENOENT: another
      // run removed it first. Either way not ours to force.
    }
  }
}
