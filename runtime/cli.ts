// The `tsbpf` command: build, run, help. User mistakes print one error paragraph and exit 1;
// usage mistakes exit 2; anything else is a tsbpf bug and says so.

import type { CompileOptions } from "../compiler/compile.js";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { TsbpfError, visible } from "../contract/errors.js";
import { packageVersion } from "../contract/paths.js";
import { flushStdout, stdoutSink, writeStderr, writeStdout, writeStdoutSoon } from "./stderr.js";

const EXIT_USER = 1;
const EXIT_USAGE = 2;
const EXIT_INTERNAL = 70;

interface Command {
  summary: string;
  usage: string;
  /** What the one argument names (default: the probe file). */
  operand?: string;
  /** The command runs without its argument too (it gets ""). */
  operandOptional?: boolean;
  options: [string, string][];
  flags: Record<string, "boolean" | "string" | "list">;
  run(file: string, o: Options): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  build: {
    summary: "compile a probe file to a libbpf object (ELF with BTF)",
    usage: "tsbpf build <probe.ts> [-o out.bpf.o] [--emit-llvm] [--jobs n]",
    options: [
      ["-o, --output <file>", "where to write the object (default: <probe>.bpf.o next to the source)"],
      ["--emit-llvm", "also write the LLVM IR next to the object (<out>.ll)"],
      ["--cpu <v1|v2|v3>", "BPF instruction set version (default v3, kernels ≥ 5.1)"],
      ["-j, --jobs <n>", "LLVM optimises the file in n parts at once (default: one per core, at most 4, for files of several hundred lines)"],
      ["--timings", "print where the time went"],
    ],
    flags: { o: "string", output: "string", "emit-llvm": "boolean", cpu: "string", j: "string", jobs: "string", timings: "boolean" },
    run: build,
  },
  run: {
    summary: "compile, load, attach, and print what the probe reports until Ctrl-C",
    usage: "tsbpf run <probe.ts> [--duration <seconds>] [--interval <seconds> [--clear]] [--top <n>] [--json] [--folded] [--flamegraph <file.svg>] [--param NAME=value …] [--pin <dir>]",
    options: [
      ["-d, --duration <seconds>", "detach and exit after this many seconds (0: right after attaching)"],
      ["-i, --interval <seconds>", "print the exported maps every this many seconds, under the time (bpftrace's interval probe with print)"],
      ["--clear", "with --interval: empty the maps after each print (per-interval counts, as vfsstat)"],
      ["--json", "print events, printf lines and the maps as JSON, one object per line (NDJSON)"],
      ["--top <n>", "print only the n largest entries of each map (bpftrace's print(@map, n))"],
      ["--folded", "print maps that count stacks as folded stacks (`a;b;c 12`), as flamegraph.pl and speedscope read them"],
      ["--flamegraph <file.svg>", "write the stacks a map counts as an interactive flame graph (click to zoom, Search) at exit"],
      ["-p, --param <NAME=value>", "set a param() of the probe (repeatable)"],
      ["--pin <dir>", "attach, pin the probe in <dir> on bpffs (/sys/fs/bpf/<name>) and exit: it keeps running until `tsbpf unpin <dir>`"],
      ["--missing-probes <error|warn|ignore>", "a kernel function this kernel does not have: an error (default), a warning, or nothing; the probe runs without it"],
      ["--pid <pid>", "limit uprobes, uretprobes and usdt probes to one process; the run ends when it exits"],
      ["--no-cache", "compile even if an identical build is cached"],
      ["--cpu <v1|v2|v3>", "BPF instruction set version (default v3)"],
      ["-v, --verbose", "print the whole verifier log when the kernel rejects a program"],
      ["--timings", "print where the time went (compile phases, load, attach)"],
    ],
    flags: { d: "string", duration: "string", i: "string", interval: "string", clear: "boolean", top: "string", json: "boolean", folded: "boolean", flamegraph: "string", p: "list", param: "list", pin: "string", "missing-probes": "string", pid: "string", "no-cache": "boolean", cpu: "string", v: "boolean", verbose: "boolean", timings: "boolean" },
    run,
  },
  print: {
    summary: "print the maps of a probe that `tsbpf run --pin <dir>` left running, as `tsbpf run` prints them at exit",
    usage: "tsbpf print <dir> [--top <n>] [--json] [--clear] [--source <probe.ts>]",
    operand: "pin directory",
    options: [
      ["--top <n>", "print only the n largest entries of each map"],
      ["--json", "print each map as a JSON object, one per line (NDJSON)"],
      ["--clear", "empty the maps once printed: the next print shows what came since"],
      ["--source <probe.ts>", "the probe's source, where it has moved since it was pinned (the pins name where it was)"],
    ],
    flags: { top: "string", json: "boolean", clear: "boolean", source: "string" },
    run: (dir, o) =>
      (require("./pins/print-command.js") as typeof import("./pins/print-command.js")).printCommand(dir, {
        top: topOption(o),
        json: o.json === true,
        clear: o.clear === true,
        source: o.source as string | undefined,
      }),
  },
  unpin: {
    summary: "detach a probe that `tsbpf run --pin <dir>` left running, and remove its pins",
    usage: "tsbpf unpin <dir>",
    operand: "pin directory",
    options: [],
    flags: {},
    run: (dir) => (require("./pins/unpin-command.js") as typeof import("./pins/unpin-command.js")).unpinCommand(dir),
  },
  inspect: {
    summary: "show a probe's or object's instructions under their TypeScript lines, its maps, params and BTF",
    usage: "tsbpf inspect <probe.ts | object.bpf.o> [--cpu <v1|v2|v3>]",
    operand: "probe or object file",
    options: [["--cpu <v1|v2|v3>", "for a probe: the BPF instruction set version to compile for (default v3)"]],
    flags: { cpu: "string" },
    run: (file, o) => (require("./inspect/inspect-command.js") as typeof import("./inspect/inspect-command.js")).inspectCommand(file, { cpu: cpuOption(o) }),
  },
  types: {
    summary: "write the kernel's types (from its BTF) as TypeScript declarations: <dir>/vmlinux.d.ts",
    usage: "tsbpf types [-o <dir>] [--btf <file>]",
    operand: "nothing (types takes options only)",
    operandOptional: true,
    options: [
      ["-o, --output <dir>", "the directory to write vmlinux.d.ts in (default: ./kernel-types, made if missing)"],
      ["--btf <file>", "read this BTF file instead of the running kernel's (/sys/kernel/btf/vmlinux)"],
    ],
    flags: { o: "string", output: "string", btf: "string" },
    run: (extra, o) => {
      if (extra) throw new UsageError(`unexpected argument '${extra}'`);
      const { kernelTypesCommand, DEFAULT_TYPES_DIR } = require("./kernel-types-command.js") as typeof import("./kernel-types-command.js");
      return kernelTypesCommand((o.o ?? o.output ?? DEFAULT_TYPES_DIR) as string, o.btf as string | undefined);
    },
  },
  list: {
    summary: "list the tracepoints and kernel functions to attach to, or a binary's USDT probes (usdt:<binary>) (like bpftrace -l)",
    usage: "tsbpf list [pattern] [-v]",
    operand: "pattern",
    operandOptional: true,
    options: [["-v, --verbose", "with each tracepoint's fields and each function's parameters; each USDT probe's sites"]],
    flags: { v: "boolean", verbose: "boolean" },
    run: (pattern, o) => (require("./list-command.js") as typeof import("./list-command.js")).listCommand(pattern, o.v === true || o.verbose === true),
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const cmds = [...Object.entries(COMMANDS).map(([n, c]) => [n, c.summary]), ["help", "show help for a command"]].map(([n, summary]) => `  ${n.padEnd(width)}${summary}`);
  return [
    "tsbpf — write Linux eBPF probes in TypeScript",
    "",
    "usage: tsbpf <command> <probe.ts> [options]",
    "",
    "commands:",
    ...cmds,
    "",
    "options:",
    "  -h, --help     show help",
    "  -V, --version  show the version",
    "",
    "example: tsbpf run examples/hello-syncfs.ts   (then `sync --file-system /` in another shell)",
  ].join("\n");
}

function commandHelp(name: string, c: Command): string {
  const width = Math.max("-h, --help".length, ...c.options.map(([o]) => o.length)) + 2;
  return [`tsbpf ${name} — ${c.summary}`, "", `usage: ${c.usage}`, "", "options:", ...c.options.map(([o, d]) => `  ${o.padEnd(width)}${d}`), "  -h, --help".padEnd(width + 2) + "show this help"].join("\n");
}

class UsageError extends Error {}

type Options = Record<string, string | boolean | string[]>;

function parseArgs(c: Command, args: string[]): { file?: string; o: Options; help: boolean } {
  const o: Options = {};
  let file: string | undefined;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h" || a === "--help") help = true;
    else if (a.startsWith("-") && a !== "-") {
      const [flag, inline] = a.replace(/^--?/, "").split(/=(.*)/s, 2);
      const kind = c.flags[flag];
      if (!kind) throw new UsageError(`unknown option '${a}'`);
      if (kind === "boolean") o[flag] = true;
      else {
        const v = inline ?? args[++i];
        if (v === undefined) throw new UsageError(`option '${a}' needs a value`);
        if (kind === "list") o[flag] = [...((o[flag] as string[] | undefined) ?? []), v];
        else o[flag] = v;
      }
    } else if (file === undefined) file = a;
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  return { file, o, help };
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    process.stdout.write(mainHelp() + "\n");
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === "-V" || first === "--version") {
    process.stdout.write(`tsbpf ${packageVersion}\n`);
    return 0;
  }
  if (first === "help") {
    const c = rest[0] ? COMMANDS[rest[0]] : undefined;
    process.stdout.write((c ? commandHelp(rest[0], c) : mainHelp()) + "\n");
    return 0;
  }
  const c = COMMANDS[first];
  try {
    if (!c) throw new UsageError(`unknown command '${first}'`);
    const { file, o, help } = parseArgs(c, rest);
    if (help) {
      process.stdout.write(commandHelp(first, c) + "\n");
      return 0;
    }
    if (!file && !c.operandOptional) throw new UsageError(`name the ${c.operand ?? "probe file"}`);
    return await c.run(file ?? "", o);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsbpf: ${e.message}\n${c ? `usage: ${c.usage}\n` : ""}run 'tsbpf --help' for help\n`);
      return EXIT_USAGE;
    }
    if (e instanceof TsbpfError) {
      process.stderr.write(e.format() + "\n");
      return EXIT_USER;
    }
    process.stderr.write(`tsbpf: internal error (a bug in tsbpf ${packageVersion}, please report it):\n${(e as Error)?.stack ?? e}\n`);
    return EXIT_INTERNAL;
  }
}

/** A Map, not an object: `--param __proto__=5` must reach the check as the unknown name it is. */
function paramOptions(o: Options): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of [...((o.p as string[]) ?? []), ...((o.param as string[]) ?? [])]) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(item);
    if (!m) throw new UsageError(`--param takes NAME=value, not '${item}'`);
    if (out.has(m[1])) throw new UsageError(`--param ${m[1]} is given twice`);
    out.set(m[1], m[2]);
  }
  return out;
}

function cpuOption(o: Options): CompileOptions["cpu"] {
  const cpu = o.cpu as string | undefined;
  if (cpu !== undefined && !["v1", "v2", "v3"].includes(cpu)) throw new UsageError(`--cpu must be v1, v2 or v3, not '${cpu}'`);
  return cpu as CompileOptions["cpu"];
}

function jobsOption(o: Options): number | undefined {
  const text = (o.j ?? o.jobs) as string | undefined;
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--jobs takes a number of parts from 1 to 64, not '${text}'`);
  return n;
}

function printTimings(t: Record<string, number>, llvmParts?: number): void {
  const { criticalPath } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
  const total = criticalPath(t);
  const parts = Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(1)} ms`);
  const inParts = llvmParts && llvmParts > 1 ? `; LLVM in ${llvmParts} parts` : "";
  writeStderr(`tsbpf: timings: ${parts.join(", ")} (total ${total.toFixed(1)} ms${inParts})\n`);
}

async function build(file: string, o: Options): Promise<number> {
  const { compileAsync, writeOutput } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
  const emitLLVM = o["emit-llvm"] === true;
  const r = await compileAsync(file, { cpu: cpuOption(o), emitLLVM, cache: false, parts: jobsOption(o), tuneV8: true, snapshot: true });
  const out = (o.o ?? o.output ?? file.replace(/\.[cm]?ts$/, "") + ".bpf.o") as string;
  writeOutput(out, r.object, r.file);
  if (emitLLVM) {
    const ir = llvmIRPath(out, r.file);
    writeOutput(ir, r.ir!, r.file);
    process.stderr.write(`tsbpf: wrote ${ir}\n`);
  }
  if (o.timings) printTimings(r.timings, r.parts);
  const sections = r.programs.map((p) => p.section);
  const listed = sections.length <= 4 ? sections.join(", ") : `${sections.length} programs`;
  process.stderr.write(`tsbpf: wrote ${out} (${listed})\n`);
  return 0;
}

/**
 * Where --emit-llvm writes the IR: beside the object (`x.bpf.o` → `x.bpf.ll`), or, when the
 * object goes to a device or a pipe (`-o /dev/null`), beside the probe: never `/dev/null.ll`.
 */
function llvmIRPath(out: string, probe: string): string {
  let special = false;
  try {
    special = !statSync(out).isFile();
  } catch {
    // not there yet: a regular file will be made
  }
  return special ? probe.replace(/\.[cm]?ts$/, "") + ".ll" : out.replace(/\.o$/, "") + ".ll";
}

async function run(file: string, o: Options): Promise<number> {
  const duration = secondsOption((o.d ?? o.duration) as string | undefined, "--duration", "leave it out to run until Ctrl-C");
  const interval = secondsOption((o.i ?? o.interval) as string | undefined, "--interval", "e.g. --interval 1 prints every second");
  if (interval !== undefined && (interval < 0.01 || interval > 86400)) throw new UsageError(`--interval takes from 0.01 to 86400 seconds, not ${interval}`);
  const clearEach = o.clear === true;
  if (clearEach && interval === undefined) throw new UsageError("--clear empties the maps after each --interval print: give an --interval too");
  const print: PrintOptions = { top: topOption(o), json: o.json === true, folded: o.folded === true, flameGraph: o.flamegraph as string | undefined };
  if (print.flameGraph === "") throw new UsageError("--flamegraph takes the SVG file to write, e.g. --flamegraph profile.svg");
  const verbose = o.v === true || o.verbose === true;
  const pinDir = o.pin as string | undefined;
  if (pinDir !== undefined && (duration !== undefined || interval !== undefined))
    throw new UsageError("--pin leaves the probe running after tsbpf exits: it takes no --duration or --interval");
  const { MISSING_PROBES } = require("./attach/program-attacher.js") as typeof import("./attach/program-attacher.js");
  const missingProbes = (o["missing-probes"] ?? "error") as (typeof MISSING_PROBES)[number];
  if (!MISSING_PROBES.includes(missingProbes)) throw new UsageError(`--missing-probes takes ${MISSING_PROBES.join(", ")}, not '${missingProbes}'`);
  // The compiler's snapshot, where this build is the one to make it, is made once the probe is done
  // (it takes a second or two): the first run after a change to the compiler attaches at once (D199).
  const build = { cpu: cpuOption(o), cache: o["no-cache"] !== true, tuneV8: true, snapshot: "at-exit" as const };
  const params = paramOptions(o);
  // The build first: the compiler's process (D156) works while this one loads the runtime.
  const { compileAsync, makePendingSnapshot } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
  const compiling = compileAsync(file, build);
  const runProbe = async (): Promise<number> => {
    compiling.catch(() => undefined); // Probe.open reports it
    const { Probe } = require("./index.js") as typeof import("./index.js");
    const { waitsFor, limitsToPid } = require("./attach/attach-program.js") as typeof import("./attach/attach-program.js");
    const { setLongTimeout } = require("./long-timer.js") as typeof import("./long-timer.js");

    const probe = await Probe.open(file, { ...build, verbose, params, compiling });
    if (print.flameGraph !== undefined && !probe.mapInfos.some((m) => m.exported && (require("./output/folded.js") as typeof import("./output/folded.js")).countsStacks(m)))
      throw new TsbpfError("--flamegraph: the probe has no map that counts stacks", { subject: file, hint: "count samples by stack: export const samples = new Count<KernelStack>(); … samples.increment(kstack())" });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      // Every reader is open before the programs attach: nothing they send is missed. A pinned
      // probe outlives this process: nothing is read.
      const readers = pinDir === undefined ? outputReaders(probe, o.json === true) : [];
      const pid = pidOption(o);
      const links = probe.attach({ missingProbes, pid });
      if (pid !== undefined) {
        const everywhere = probe.programs.filter((p) => !limitsToPid(p) && !waitsFor(p)).map((p) => `${p.name} (${p.kind})`);
        if (everywhere.length)
          writeStderr(`tsbpf: warning: --pid limits uprobes and USDT probes to process ${pid}; ${everywhere.join(", ")} ${everywhere.length === 1 ? "fires" : "fire"} in every process\n  hint: filter in the probe: if (pid() === …), with the pid as a param (--param)\n`);
      }
      if (missingProbes === "warn")
        for (const { program, error, optional } of probe.skipped) if (!optional) writeStderr(`tsbpf: warning: not attached: ${program}: ${visible(error.message)}${error.at ? ` (${visible(error.at.file)}:${error.at.line}:${error.at.column})` : ""}\n${error.options.hint ? `  hint: ${visible(error.options.hint)}\n` : ""}`);
      for (const p of probe.programs) {
        const reason = waitsFor(p);
        if (reason) process.stderr.write(`tsbpf: not attached: ${p.name} (${p.kind}) waits for ${reason}\n`);
      }
      if (!links.length) {
        process.stderr.write("tsbpf: nothing to attach\n");
        return 0;
      }
      const what = links.length <= 4 ? ` (${links.map((l) => l.description).join(", ")})` : "";
      const pinned = pinDir !== undefined ? probe.pin(pinDir) : undefined;
      const next = pinned !== undefined ? `Pinned at ${pinned}: it runs after tsbpf exits, until \`tsbpf unpin ${pinned}\` (\`tsbpf print ${pinned}\` prints its maps).` : duration === undefined ? "Ctrl-C to stop." : `Stopping in ${duration} s.`;
      writeStderr(`Attached ${links.length} program${links.length === 1 ? "" : "s"}${what}. ${next}\n`);
      if (pinned !== undefined) return 0;
      if (duration !== 0) {
        const cancelTimer = duration !== undefined ? setLongTimeout(() => stop.abort(), duration * 1000) : undefined;
        const ticker = interval !== undefined ? setInterval(() => printMapsNow(probe, clearEach, print), interval * 1000) : undefined;
        // Until Ctrl-C: a probe with maps only (no stream, printk or timer to wait on) leaves Node
        // nothing pending, and it would exit at once without printing them.
        const keepAlive = setInterval(() => {}, 1 << 30);
        // As bpftrace -p: the run ends with the process it watches.
        const { processEnded } = require("./processes.js") as typeof import("./processes.js");
        const watcher = pid !== undefined ? setInterval(() => processEnded(pid) && (writeStderr(`tsbpf: process ${pid} exited\n`), stop.abort()), PID_POLL_MS) : undefined;
        try {
          await Promise.all([...readers.map((r) => r.read(stop.signal)), new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }))]);
        } finally {
          cancelTimer?.();
          clearInterval(ticker);
          clearInterval(keepAlive);
          clearInterval(watcher);
        }
      }
      if (readers.some((r) => r.drain)) {
        await probe.detachAsync();
        for (const r of readers) r.drain?.();
      }
      await printMapsAtExit(probe, print);
      flushStdout();
      reportLost(readers);
      return 0;
    } finally {
      flushStdout();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await probe.closeAsync();
      if (o.timings) printTimings(probe.timings, probe.compiled.parts);
    }
  };
  // A run that fails leaves the snapshot to a later one: its error is printed first.
  const code = await runProbe();
  snapshotAfterRun(makePendingSnapshot);
  return code;
}

/**
 * Makes the compiler's snapshot a run's build left to the run's end (D199). It delays the exit a
 * second or two, once per build of the compiler: a terminal is told why.
 */
function snapshotAfterRun(makePendingSnapshot: (onStart?: () => void) => boolean): void {
  makePendingSnapshot(() => {
    if (process.stderr.isTTY) writeStderr("tsbpf: preparing the compiler's start-up snapshot for the next runs (once, a second or two)\n");
  });
}

interface Reader {
  /** Prints what arrives until `signal` aborts. */
  read(signal: AbortSignal): Promise<void>;
  /** Prints what is left once the programs are detached. */
  drain?(): void;
  /** What it reads, by name, and the count of what the probe dropped before it could be read. */
  lost?: { what: string; stream: { readonly lost: bigint } };
}

/**
 * What the probe sends while it runs, each printed as it arrives: printk's lines (with the time,
 * from the trace pipe: opened only for a probe that calls printk), printf's lines as they are,
 * and each exported RingBuf's events, a line each under a header (or NDJSON with --json).
 */
function outputReaders(probe: import("./index.js").Probe, json: boolean): Reader[] {
  const readers: Reader[] = [];
  const write = writeStdoutSoon;
  if (probe.usesPrintk) {
    probe.openTracePipe();
    readers.push({
      read: async (signal) => {
        for await (const line of probe.traceLines(signal)) write(json ? `{"type":"printk","data":${JSON.stringify(line.message)}}\n` : `${clock(new Date())} ${line.message}\n`);
      },
    });
  }
  // A stream of printf lines or of one RingBuf's events: printed batch by batch as it arrives,
  // the rest once detached, and what the probe dropped said at exit.
  const streamed = <T>(stream: import("./index.js").EventStream<T>, print: (batch: T[]) => void, what: string): Reader => ({
    read: (signal) => stream.consume(print, signal),
    drain: () => stream.poll(print),
    lost: { what, stream },
  });
  // Without --json, lines are written from the records' bytes into stdout's buffer.
  const sink = json ? undefined : stdoutSink();
  const written = () => sink!.written();
  if (probe.compiled.printf) {
    const { printfInto } = require("./printf-lines.js") as typeof import("./printf-lines.js");
    readers.push(
      sink
        ? streamed(probe.printf((channel) => printfInto(channel, sink))!, written, "printf lines")
        : streamed(probe.printf()!, (lines) => write(lines.map((l) => `{"type":"printf","data":${JSON.stringify(l)}}\n`).join("")), "printf lines"),
    );
  }
  const { isStream } = require("./maps/open-map.js") as typeof import("./maps/open-map.js");
  const streams = probe.mapInfos.filter((m) => m.exported && isStream(m));
  if (!streams.length) return readers;
  const { EventTable, toJson } = require("./output/event-table.js") as typeof import("./output/event-table.js");
  for (const info of streams) {
    const what = `events of '${info.name}'`;
    if (!sink) {
      readers.push(streamed(probe.events(info.name), (events) => write(events.map((e) => `{"type":"event","map":${JSON.stringify(info.name)},"data":${toJson(e)}}\n`).join("")), what));
      continue;
    }
    const table = new EventTable(info);
    write(table.header());
    readers.push(streamed(probe.events(info.name, table.linesInto(sink)), written, what));
  }
  return readers;
}

/** Events and lines the probe dropped because user space read too slowly: said, never silently lost. */
function reportLost(readers: Reader[]): void {
  for (const { lost } of readers) {
    const count = lost?.stream.lost ?? 0n;
    if (count > 0n) writeStderr(`tsbpf: ${count} ${lost!.what} were lost: the ring buffer was full (a bigger RingBuf, or fewer events, keeps up)\n`);
  }
}

/** How often `tsbpf run --pid` looks whether the process is still there. */
const PID_POLL_MS = 200;

/** --pid: checked as a number here; that the process exists, by attach(). */
function pidOption(o: Options): number | undefined {
  const text = o.pid as string | undefined;
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`--pid takes a process id, not '${text}'`);
  return Number(text);
}

/** Plain decimal seconds: Number() would also take '', '0x10', 'Infinity' and '1e400'. */
function secondsOption(text: string | undefined, flag: string, otherwise: string): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(seconds)) throw new UsageError(`${flag} takes a number of seconds such as 10 or 0.5, not '${text}' (${otherwise})`);
  return seconds;
}

/** --top: a whole number of entries. */
function topOption(o: Options): number | undefined {
  const text = o.top as string | undefined;
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1e9) throw new UsageError(`--top takes a number of entries such as 10, not '${text}'`);
  return Number(text);
}

type PrintOptions = import("./output/map-printer.js").PrintOptions;

/** --interval: the exported maps under the time, then (--clear) emptied for the next interval. */
function printMapsNow(probe: import("./index.js").Probe, clear: boolean, print: PrintOptions): void {
  const maps = exportedMaps(probe);
  const time = clock(new Date());
  writeStdout(`${print.json ? `{"type":"time","data":"${time}"}` : time}\n${formatted(maps, print)}`);
  if (clear) for (const map of maps) map.clear();
}

/** The maps `tsbpf run` prints: those the probe exports. */
function exportedMaps(probe: import("./index.js").Probe): import("./maps/open-map.js").ProbeMap[] {
  return (require("./output/map-printer.js") as typeof import("./output/map-printer.js")).printedMaps(probe);
}

function formatted(maps: import("./maps/open-map.js").ProbeMap[], print: PrintOptions): string {
  const { formatMaps } = require("./output/map-printer.js") as typeof import("./output/map-printer.js");
  return formatMaps(maps, print);
}

/** As bpftrace does at exit: the exported maps' entries, once the programs are detached (their final values). */
async function printMapsAtExit(probe: import("./index.js").Probe, print: PrintOptions): Promise<void> {
  if (!probe.mapInfos.some((m) => m.exported)) return; // nor load the printer
  const maps = exportedMaps(probe);
  if (!maps.length) return;
  await probe.detachAsync();
  const text = formatted(maps, print);
  if (text) writeStdout(print.json ? text : `\n${text}`);
  if (print.flameGraph !== undefined) writeFlameGraph(probe, maps, print.flameGraph);
}

/** --flamegraph: the stacks every stack-counting map holds, as one SVG (written whole or not at all). */
function writeFlameGraph(probe: import("./index.js").Probe, maps: readonly import("./maps/open-map.js").ProbeMap[], file: string): void {
  const { foldedStacks, isStackCount } = require("./output/folded.js") as typeof import("./output/folded.js");
  const { flameGraphSvg } = require("./output/flamegraph.js") as typeof import("./output/flamegraph.js");
  const stacks = maps.filter(isStackCount).flatMap(foldedStacks); // there is one: run() checked before attaching
  const { writeOutput } = require("../compiler/compile.js") as typeof import("../compiler/compile.js");
  writeOutput(file, flameGraphSvg(stacks, `${basename(probe.compiled.file)}: ${stacks.reduce((n, s) => n + s.count, 0)} samples`), probe.compiled.file);
  writeStderr(`tsbpf: wrote ${file}: a flame graph of ${stacks.length} stacks\n`);
}

const clock = (d: Date) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
