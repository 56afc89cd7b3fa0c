// `import { open } from "tsbpf/runtime"`: compile (or reuse) a probe, load it, attach it,
// and read what it reports. Everything it attaches and loads is released by close(), by `using`,
// and when the process ends (process-end.ts: exit, an uncaught error, SIGINT/SIGTERM/SIGHUP);
// so is the tracefs instance that printk's lines are read from (trace-pipe.ts). Only pin(dir)
// keeps a probe after its process (pins/pins.ts).

import type { CompileOptions, CompileResult } from "../compiler/compile.js";
import { TsbpfError } from "../contract/errors.js";
import type { MapInfo, PrintfChannel, ProgramInfo, StackMaps, StackTableMaps } from "../contract/manifest.js";
import type { EventStream, ProbeMap } from "./maps/open-map.js";
import type { RecordFormat } from "./maps/record-format.js";
import { mapsByName } from "./maps/maps-by-name.js";
import type { MapsOf } from "./maps/probe-maps.js";
import { attachProgram, loadRefusal, prepareProgram, waitsFor, type AttachOptions, type Link, type MissingProbes, type SkippedProgram } from "./attach/attach-program.js";
import { LoadedObject, ObjectOpenError } from "./loader.js";
import type { ParamValues } from "./param-values.js";
import { atProcessEnd } from "./process-end.js";
import type { TracePipe, TraceLine } from "./trace-pipe.js";

export { TsbpfError } from "../contract/errors.js";
export type { MapInfo, ProgramInfo } from "../contract/manifest.js";
export type { EventStream, ProbeMap } from "./maps/open-map.js";
export type { RecordFormat } from "./maps/record-format.js";
export type { Decoded, Encodable, EnumsOf } from "./maps/decoded.js";
export type { MapView, MapsOf, ProbeMaps } from "./maps/probe-maps.js";
export type * from "./maps/map-views.js";
export type { CValue } from "../contract/c-values.js";
export type { TraceLine } from "./trace-pipe.js";
export type { ParamValues } from "./param-values.js";
export * from "./formatters.js";

export interface OpenOptions extends CompileOptions {
  /** Print the whole verifier log when a program is rejected. */
  verbose?: boolean;
  /** Values of the probe's `param()`s, by name. */
  params?: ParamValues;
  /**
   * Read the maps pinned in this directory (by `probe.pin(dir)` or `tsbpf run --pin dir`)
   * instead of loading the probe: its source gives the maps' types. Nothing is loaded or attached.
   */
  pinned?: string;
  /** The compile of `file` with these options, already under way (the CLI starts it before it loads the runtime, D156). */
  compiling?: Promise<CompileResult>;
}

export interface PhaseTimings {
  [phase: string]: number;
}

/**
 * A loaded probe. `M` is the probe module's type (`open<typeof probe>(…)`, with
 * `import type * as probe from "./probe.js"`): it types `maps`.
 */
export class Probe<M = unknown> implements Disposable, AsyncDisposable {
  private links: Link[] = [];
  /** The programs attach() left out: their targets are missing on this kernel. */
  readonly skipped: SkippedProgram[] = [];
  private pipe: TracePipe | undefined;
  private readers: Readonly<Record<string, ProbeMap | EventStream>> | undefined;
  /** One per RingBuf, made on first use: a buffer has one consumer, reading its records in one form. */
  private readonly streams = new Map<string, { stream: EventStream<never>; format?: unknown }>();
  private readonly forgetAtExit: () => void;
  private pinnedAt: string | undefined;
  private userStacks: import("./output/user-symbols.js").UserStacks | undefined;
  private stackNotices: import("./maps/stack-notices.js").StackNotices | undefined;
  readonly timings: PhaseTimings;

  private constructor(
    readonly compiled: CompileResult,
    private readonly loaded: LoadedObject,
    timings: PhaseTimings,
  ) {
    this.timings = timings;
    this.forgetAtExit = atProcessEnd(() => this.close());
    if (compiled.stacks) this.showStacks(compiled.stacks);
  }

  /** Stacks in this probe's maps show the frames its stack maps hold. */
  private showStacks(maps: StackMaps): void {
    const { bindStacks, kernelStackNames } = require("./output/stacks.js") as typeof import("./output/stacks.js");
    const { StackTable } = require("./maps/stack-map.js") as typeof import("./maps/stack-map.js");
    const table = (names: StackTableMaps) => {
      const stacks = new StackTable(names, (map) => this.loaded.mapHandle(map));
      return (id: bigint) => stacks.frames(id);
    };
    const types = this.compiled.maps.flatMap((m) => [m.key, m.value]);
    const { kernel, user } = maps;
    if (kernel) bindStacks(types, "kstack", kernelStackNames(table(kernel)));
    if (!user) return;
    const { UserStacks } = require("./output/user-symbols.js") as typeof import("./output/user-symbols.js");
    const stacks = (this.userStacks = new UserStacks(table(user)));
    bindStacks(types, "ustack", (stack) => {
      this.stackNotices?.read(); // stacks recorded since the last reading: their processes' mappings first
      return stacks.show(stack);
    });
  }

  /**
   * While attached, user stacks new to the probe are told to user space (D167): their processes'
   * mappings are read then, while they live; `pid`'s (attach({ pid })) at once.
   */
  private noticeStacks(pid: number | undefined): void {
    const notices = this.compiled.stacks?.userNotices;
    if (!this.userStacks || !notices || this.stackNotices) return;
    const { StackNotices } = require("./maps/stack-notices.js") as typeof import("./maps/stack-notices.js");
    const { readMappings } = require("./output/process-mappings.js") as typeof import("./output/process-mappings.js");
    const stacks = this.userStacks;
    this.stackNotices = new StackNotices(notices, this.loaded.mapHandle(notices), (stack) => stacks.notice(stack));
    if (pid !== undefined) readMappings(pid);
  }


  /** Compiles `file` (or takes it from the cache) and loads it into the kernel. */
  static async open<M = unknown>(file: string, opts: OpenOptions = {}): Promise<Probe<M>> {
    const { compileAsync } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
    const load = (c: CompileResult) =>
      opts.pinned === undefined
        ? LoadedObject.load(c, { verbose: opts.verbose, params: opts.params, kinds: { prepare: prepareProgram, loadRefusal } })
        : (require("./pins/pins.js") as typeof import("./pins/pins.js")).openPinnedMaps(c, opts.pinned);
    let compiled = await (opts.compiling ?? compileAsync(file, opts));
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
    return new Probe<M>(compiled, loaded, { ...compiled.timings, load: performance.now() - t });
  }

  get programs(): ProgramInfo[] {
    return this.compiled.programs;
  }

  /** The probe's map named `name` (its binding: `export const hits = new ArrayMap<u64>(4)`), read and written from here. */
  map(name: string): ProbeMap {
    const info = this.mapInfo(name);
    // Loaded on first use: a probe without maps (and every cached start) does not pay for the readers.
    const { openMap } = require("./maps/open-map.js") as typeof import("./maps/open-map.js");
    return openMap(info, () => this.loaded.mapHandle(name));
  }

  private mapInfo(name: string): MapInfo {
    const info = this.compiled.maps.find((m) => m.name === name);
    if (!info)
      throw new TsbpfError(`the probe has no map named '${name}'`, {
        subject: this.compiled.file,
        hint: this.compiled.maps.length ? `its maps are: ${this.compiled.maps.map((m) => m.name).join(", ")}` : "it declares none (`export const counts = new ArrayMap<u64>(16)` at the top level declares one)",
      });
    return info;
  }

  /**
   * The events of the probe's RingBuf named `name` (`export const events = new RingBuf<E>(…)`):
   * `for await (const e of probe.events("events"))`, or `consume(onBatch)` for speed. Opened
   * before attaching, it sees every event the probe emits.
   */
  events(name: string): EventStream;
  /**
   * The same stream with each record read as `format` says, in place of the decoded object:
   * `tsbpf run` makes its table lines straight from the bytes. A stream is read in one form.
   */
  events<T>(name: string, format: RecordFormat<T>): EventStream<T>;
  events<T>(name: string, format?: RecordFormat<T>): EventStream<T> {
    const info = this.mapInfo(name);
    const { eventObjects } = require("./maps/record-format.js") as typeof import("./maps/record-format.js");
    const wanted = (format ?? eventObjects(info)) as RecordFormat<T>;
    const refused = () => new TsbpfError(`the events of '${name}' are already being read in another form`, { subject: `map '${name}'`, hint: "read a stream through one events() call, in one form" });
    return this.stream(name, wanted, refused, () => {
      const { openStream } = require("./maps/open-map.js") as typeof import("./maps/open-map.js");
      return openStream(info, () => this.loaded.mapHandle(name), (other) => this.loaded.mapHandle(other), wanted);
    });
  }

  /**
   * The lines the probe's printf calls send, each formatted (as bpftrace's printf): open it
   * before attaching to see every line. Undefined if the probe never calls printf.
   */
  printf(): EventStream<string> | undefined;
  /** The same lines, each record read as `format` says: `tsbpf run` writes them as bytes. A stream is read in one form. */
  printf<T>(format: (channel: PrintfChannel) => RecordFormat<T | undefined>): EventStream<T> | undefined;
  printf<T>(format?: (channel: PrintfChannel) => RecordFormat<T | undefined>): EventStream<T> | undefined {
    const channel = this.compiled.printf;
    if (!channel) return undefined;
    const refused = () => new TsbpfError("printf's lines are already being read in another form", { subject: this.compiled.file, hint: "read them through one printf() call, in one form" });
    return this.stream(channel.map, format, refused, () => {
      const { printfStream, printfStrings } = require("./printf-lines.js") as typeof import("./printf-lines.js");
      return printfStream<T>(channel, (name) => this.loaded.mapHandle(name), format ? format(channel) : (printfStrings(channel) as RecordFormat<T | undefined>));
    });
  }

  /** The stream of map `key`, opened on first use in the form `format` names; asked for in another form, `refused()`. */
  private stream<T>(key: string, format: unknown, refused: () => TsbpfError, open: () => EventStream<T>): EventStream<T> {
    const known = this.streams.get(key);
    if (known) {
      if (known.format !== format) throw refused();
      return known.stream as unknown as EventStream<T>;
    }
    const stream = open();
    this.streams.set(key, { stream: stream as unknown as EventStream<never>, format });
    return stream;
  }

  /** Whether the probe calls printk: its lines are read from a trace pipe (traceLines()). */
  get usesPrintk(): boolean {
    return this.compiled.printk === true;
  }

  /**
   * The probe's maps by name. Typed from the probe module given to open() (`maps.counts.get(k)`
   * takes and gives the types its declaration says: see docs/runtime.md), else each a ProbeMap
   * (a RingBuf: its EventStream, as events(name)).
   */
  get maps(): MapsOf<M> {
    this.readers ??= mapsByName(this.compiled.maps, (info) => {
      const { isStream } = require("./maps/open-map.js") as typeof import("./maps/open-map.js");
      return isStream(info) ? this.events(info.name) : this.map(info.name);
    });
    return this.readers as MapsOf<M>;
  }

  /** What the compiler says of each map: its kind, key and value types, size, whether exported. */
  get mapInfos(): MapInfo[] {
    return this.compiled.maps;
  }

  /** Whether the kernel took the object's BTF (and so its line info); see LoadedObject. */
  get kernelBtf(): boolean {
    return this.loaded.kernelBtf;
  }

  /**
   * Attaches every program; on failure, detaches the ones already attached. A program whose
   * kernel function this kernel does not have is an error, unless it is `{ optional: true }` or
   * `missingProbes` is "warn" or "ignore": it is then left out, in `skipped`. `pid` limits
   * uprobes to that process.
   */
  attach(opts: { missingProbes?: MissingProbes } & AttachOptions = {}): Link[] {
    const t = performance.now();
    if (opts.pid !== undefined) (require("./attach/uprobe.js") as typeof import("./attach/uprobe.js")).checkPid(opts.pid);
    try {
      for (const p of this.loaded.programs) {
        if (waitsFor(p.info)) continue;
        const attached = attachProgram(p, this.compiled.file, opts.missingProbes, { pid: opts.pid });
        if ("program" in attached) this.skipped.push(attached);
        else this.links.push(attached);
      }
    } catch (e) {
      this.detach();
      throw e;
    }
    this.noticeStacks(opts.pid);
    this.timings.attach = performance.now() - t;
    return this.links;
  }

  /**
   * Pins what attach() attached, and the maps, in `dir` on bpffs (made now, or empty and of this
   * user): the probe then runs after this process ends, until `unpin(dir)`. The attachments
   * are the directory's from here on: detach() and close() leave them be.
   */
  pin(dir: string): string {
    const { pinProbe } = require("./pins/pins.js") as typeof import("./pins/pins.js");
    if (this.pinnedAt) throw new TsbpfError(`the probe is pinned at ${this.pinnedAt} already`, { subject: dir, hint: `its attachments are that directory's: unpin(${JSON.stringify(this.pinnedAt)}) detaches them` });
    const programs = this.loaded.programs.filter((p) => !waitsFor(p.info) && !this.skipped.some((s) => s.program === p.info.name)).map((p) => p.info.name);
    if (programs.length !== this.links.length) throw new TsbpfError("the probe is not attached", { subject: dir, hint: "attach() it before pin(), and pin before detach()" });
    const path = (this.pinnedAt = pinProbe(dir, this.compiled.file, programs.map((program, i) => ({ program, link: this.links[i] })), this.compiled.maps, (name) => this.loaded.mapHandle(name)));
    // Our descriptors only (the pins hold the links). A new array: attach() gave out the old one.
    const handedOver = this.links;
    this.links = [];
    for (const l of handedOver) l.destroy();
    return path;
  }

  /** Runs program `name` `repeat` times in the kernel on `data` (xdp: a packet; default 64 zero bytes). */
  testRun(name: string, data: Uint8Array = new Uint8Array(64), repeat = 1): { retval: number; durationNs: number } {
    return this.loaded.testRun(name, data, repeat);
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
    return this.tracePipe().lines(signal);
  }

  openTracePipe(): void {
    this.tracePipe();
  }

  /** printk's lines come from a tracefs instance of this run's (trace-pipe.ts), made on first use. */
  private tracePipe(): TracePipe {
    const { TracePipe } = require("./trace-pipe.js") as typeof import("./trace-pipe.js");
    return (this.pipe ??= new TracePipe());
  }

  close(): void {
    this.forgetAtExit();
    try {
      this.detach();
    } finally {
      this.stackNotices?.close();
      for (const { stream } of this.streams.values()) stream.close();
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

/** Detaches and removes the probe pinned in `dir` (by pin() or `tsbpf run --pin`), and the directory. */
export function unpin(dir: string): import("./pins/pins.js").Unpinned {
  return (require("./pins/pins.js") as typeof import("./pins/pins.js")).unpin(dir);
}

/**
 * Compiles, loads and returns a probe; `attach()` it next. `open<typeof probe>(…)`, with
 * `import type * as probe from "./probe.js"`, types its `maps` from the probe's declarations.
 */
export function open<M = unknown>(file: string, opts: OpenOptions = {}): Promise<Probe<M>> {
  return Probe.open<M>(file, opts);
}
