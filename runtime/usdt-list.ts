// `tsbpf list usdt:BINARY[:PATTERN]`, as `bpftrace -l 'usdt:…'`: the USDT probes a binary's
// `.note.stapsdt` has (runtime/attach/usdt-notes.ts), `usdt:<path>:<provider>:<name>`, sorted,
// those matching a glob over "provider:name" (or the name alone); under each, its arguments as
// the note writes them and as a handler declares them, and with -v each site's address and
// semaphore. A probe whose sites pass their arguments differently lists each way.

import { TsbpfError } from "../contract/errors.js";
import { nearestNames } from "../contract/nearest-names.js";
import { usdtProbeName } from "../contract/usdt-target.js";
import { NotElf } from "./attach/elf-file.js";
import { globMatcher } from "./attach/kernel-functions.js";
import { findBinary } from "./attach/user-binaries.js";
import { describeArgument, parseUsdtArguments } from "./attach/usdt-arguments.js";
import { usdtNotes, type UsdtNotes, type UsdtProbe } from "./attach/usdt-notes.js";
import { writeStdout } from "./stderr.js";

const USAGE = "tsbpf list usdt:<binary>[:<provider>:<name>] (a glob: 'usdt:/usr/bin/python3:python:function*', 'usdt:python3:*')";

/** `pattern` is what follows "usdt:". */
export function listUsdt(pattern: string, verbose: boolean): number {
  const colon = pattern.indexOf(":");
  const binary = colon < 0 ? pattern : pattern.slice(0, colon);
  const glob = colon < 0 || colon === pattern.length - 1 ? "*" : pattern.slice(colon + 1);
  if (!binary || /[*?]/.test(binary)) throw new TsbpfError(`'usdt:${pattern}' names no binary`, { subject: `usdt:${pattern}`, hint: `USDT probes are listed one binary at a time: ${USAGE}` });
  const found = findBinary(binary);
  if (!("path" in found)) throw new TsbpfError(`'${binary}' not found (searched ${found.searched})`, { subject: `usdt:${pattern}`, hint: "name the binary by absolute path, a library by short name (libc) or a command on PATH (python3)" });
  const path = found.path;
  const notes = readNotes(path, pattern);
  if (!notes.hasNotes) throw new TsbpfError(`${path} has no USDT probes (no .note.stapsdt section)`, { subject: `usdt:${pattern}`, hint: "USDT probes are what sys/sdt.h's STAP_PROBE and DTRACE_PROBE macros leave in a binary" });
  const matchFull = globMatcher(glob);
  const matches = (p: UsdtProbe) => matchFull(usdtProbeName(p)) || (!glob.includes(":") && matchFull(p.name));
  const byProbe = new Map<string, UsdtProbe[]>();
  for (const p of notes.probes.filter(matches)) {
    const key = usdtProbeName(p);
    byProbe.set(key, [...(byProbe.get(key) ?? []), p]);
  }
  if (!byProbe.size) {
    const near = nearestNames(glob.replace(/[*?]/g, ""), new Set(notes.probes.flatMap((p) => [usdtProbeName(p), p.name])));
    throw new TsbpfError(`${path} has no USDT probe matching '${glob}'`, {
      subject: `usdt:${pattern}`,
      hint: `${near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}? ` : ""}list them all with \`tsbpf list usdt:${path}\``,
    });
  }
  const lines: string[] = [];
  for (const name of [...byProbe.keys()].sort()) {
    lines.push(`usdt:${path}:${name}`);
    const sites = byProbe.get(name)!;
    const ways = [...new Set(sites.map((s) => s.args))];
    ways.forEach((args, i) => {
      if (i > 0) lines.push("    or:");
      lines.push(...argumentLines(args));
    });
    if (verbose) for (const s of sites) lines.push(`    site 0x${s.address.toString(16)}${s.semaphore ? `, semaphore 0x${s.semaphore.toString(16)}` : ""}: ${s.args || "(no arguments)"}`);
  }
  writeStdout(lines.join("\n") + "\n");
  return 0;
}

function readNotes(path: string, pattern: string): UsdtNotes {
  try {
    return usdtNotes(path);
  } catch (e) {
    const why = e instanceof NotElf ? e.message : `it cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`;
    throw new TsbpfError(`'${path}' is not an ELF binary: ${why}`, { subject: `usdt:${pattern}`, hint: "name an executable or shared library" });
  }
}

/** `arg0: i32 in %eax (-4@%eax)` for each argument; a spec tsbpf cannot read, as it is with why. */
function argumentLines(args: string): string[] {
  if (!args) return ["    (no arguments)"];
  const parsed = parseUsdtArguments(args);
  if ("problem" in parsed) return [`    ${args} (tsbpf cannot read it: ${parsed.problem})`];
  return parsed.map((a, i) => `    arg${i}: ${describeArgument(a)} (${a.text})`);
}
