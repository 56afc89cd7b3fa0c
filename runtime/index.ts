// `import { open } from "tsbpf/runtime"`: compile (or reuse) a probe, load it, attach it,
// and read what it reports. Everything it attaches is detached by close(), by `using`, and by
// the kernel when the process exits; the tracefs instance that printk's lines are read from is
// removed by close() and when the process exits (trace-pipe.ts).

import type { CompileOptions, CompileResult } from "../compiler/compile.js";
import { TsbpfError } from "../contract/errors.js";
import type { MapInfo, ProgramInfo } from "../contract/manifest.js";
import type { ProbeMap } from "./maps/open-map.js";
import { attachProgram, waitsFor, type Link } from "./attach/attach-program.js";
import { LoadedObject, ObjectOpenError } from "./loader.js";
import type { ParamValues } from "./param-values.js";
import { TracePipe, type TraceLine } from "./trace-pipe.js";

export { TsbpfError } from "../contract/errors.js";
export type { MapInfo, ProgramInfo } from "../contract/manifest.js";
export type { ProbeMap } from "./maps/open-map.js";
export type { CValue } from "../contract/c-values.js";
export type { TraceLine } from "./trace-pipe.js";
export type { ParamValues } from "./param-values.js";
export * from "./formatters.js";

export interface OpenOptions extends CompileOptions {
  /** Print the whole verifier log when a program is rejected. */
  verbose?: boolean;
  /** Values of the probe's `param()`s, by name. */
  params?: ParamValues;
}

export interface PhaseTimings {
  [phase: string]: number;
}

export class Probe implements Disposable, AsyncDisposable {
  private links: Link[] = [];
  private pipe: TracePipe | undefined;
  readonly timings: PhaseTimings;

  private constructor(
    readonly compiled: CompileResult,
    private readonly loaded: LoadedObject,
    timings: PhaseTimings,
  ) {
    this.timings = timings;
  }

  /** Compiles `file` (or takes it from the cache) and loads it into the kernel. */
  static async open(file: string, opts: OpenOptions = {}): Promise<Probe> {
    const { compileAsync } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
    const load = (c: CompileResult) => LoadedObject.load(c, { verbose: opts.verbose, params: opts.params });
    let compiled = await compileAsync(file, opts);
    let t = performance.now();
    let loaded: LoadedObject;
    try {
      loaded = load(compiled);
    } catch (e) {
      // A cached object libbpf cannot open is corrupt: build it again, once (D35).
      if (!compiled.cached || !(e instanceof ObjectOpenError)) throw e;
      compiled = await compileAsync(file, { ...opts, cache: "refresh" });
      t = performance.now();
      loaded = load(compiled);
    }
    return new Probe(compiled, loaded, { ...compiled.timings, load: performance.now() - t });
  }

  get programs(): ProgramInfo[] {
    return this.compiled.programs;
  }

  /** The probe's map named `name` (its binding: `export const hits = new ArrayMap<u64>(4)`), read and written from here. */
  map(name: string): ProbeMap {
    const info = this.compiled.maps.find((m) => m.name === name);
    if (!info)
      throw new TsbpfError(`the probe has no map named '${name}'`, {
        subject: this.compiled.file,
        hint: this.compiled.maps.length ? `its maps are: ${this.compiled.maps.map((m) => m.name).join(", ")}` : "it declares none (`export const counts = new ArrayMap<u64>(16)` at the top level declares one)",
      });
    // Loaded on first use: a probe without maps (and every cached start) does not pay for the readers.
    const { openMap } = require("./maps/open-map.js") as typeof import("./maps/open-map.js");
    return openMap(info, () => this.loaded.mapHandle(name));
  }

  get maps(): MapInfo[] {
    return this.compiled.maps;
  }

  /** Whether the kernel took the object's BTF (and so its line info); see LoadedObject. */
  get kernelBtf(): boolean {
    return this.loaded.kernelBtf;
  }

  /** Attaches every program; on failure, detaches the ones already attached. */
  attach(): Link[] {
    const t = performance.now();
    try {
      for (const p of this.loaded.programs) if (!waitsFor(p.info)) this.links.push(attachProgram(p, this.compiled.file));
    } catch (e) {
      this.detach();
      throw e;
    }
    this.timings.attach = performance.now() - t;
    return this.links;
  }

  /** Runs program `name` once in the kernel on `data` (xdp: a packet; default 64 zero bytes). */
  testRun(name: string, data: Uint8Array = new Uint8Array(64)): { retval: number; durationNs: number } {
    return this.loaded.testRun(name, data);
  }

  detach(): void {
    if (!this.links.length) return;
    const t = performance.now();
    for (const l of this.links.splice(0)) l.destroy();
    // The kernel waits for in-flight tracepoint handlers here (tens of ms): worth seeing.
    this.timings.detach = performance.now() - t;
  }

  /**
   * As detach(), with every link detached at once on libuv's threads: the kernel's wait for
   * each tracepoint's handlers (≈ 40 ms) then overlaps, instead of adding up over many programs.
   */
  async detachAsync(): Promise<void> {
    if (!this.links.length) return;
    const t = performance.now();
    await Promise.all(this.links.splice(0).map((l) => l.destroyAsync()));
    this.timings.detach = performance.now() - t;
  }

  /**
   * The probe's printk lines. Opened before attaching (call it first) so that lines older than
   * this run are not taken for its own.
   */
  traceLines(signal?: AbortSignal): AsyncGenerator<TraceLine> {
    this.pipe ??= new TracePipe();
    return this.pipe.lines(signal);
  }

  openTracePipe(): void {
    this.pipe ??= new TracePipe();
  }

  close(): void {
    try {
      this.detach();
    } finally {
      this.pipe?.close(); // removes this run's tracefs instance
      this.loaded.close();
    }
  }

  /**
   * As close(), with the links detached and the tracefs instance removed at once on libuv's
   * threads: the kernel's waits for both overlap. The instance's removal is asked for first: the
   * links' detaching then waits 10 ms less for it (D81).
   */
  async closeAsync(): Promise<void> {
    try {
      await Promise.all([this.pipe?.closeAsync(), this.detachAsync()]);
    } finally {
      this.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAsync();
  }
}

/** Compiles, loads and returns a probe; `attach()` it next. */
export function open(file: string, opts: OpenOptions = {}): Promise<Probe> {
  return Probe.open(file, opts);
}
