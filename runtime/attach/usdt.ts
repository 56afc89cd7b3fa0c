// usdt/<binary:provider:name>: the binary found as a uprobe's (user-binaries.ts), its probes read
// from its `.note.stapsdt` (usdt-notes.ts), the handler's parameters checked against each site's
// arguments (usdt-arguments.ts, D163), then each site attached as libbpf's USDT support attaches
// it (D162): its argument specs written into __bpf_usdt_specs at a spec id, and a uprobe at the
// site's file offset whose BPF cookie is that id and whose reference counter is the probe's
// semaphore (the kernel raises it in every process that maps the binary while attached, which is
// what turns on probes like python3's). `--pid` limits it to one process.

import { intRange, type CType } from "../../contract/c-layout.js";
import { encodeValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { HandlerParameter, ProgramInfo } from "../../contract/manifest.js";
import { nearestNames } from "../../contract/nearest-names.js";
import { USDT_MAPS, USDT_MAX_ARGS, USDT_MAX_SPECS, USDT_SPEC } from "../../contract/usdt-spec.js";
import { parseUsdtTarget, usdtProbeName, type UsdtTarget } from "../../contract/usdt-target.js";
import { errnoText, lastErrno, libbpf, takeLibbpfMessages, UPROBE_OPTS_SIZE } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { MissingProbe } from "./kernel-functions.js";
import { linkGroup, ownLink, type Link } from "./link.js";
import type { AttachOptions, ProgramAttacher } from "./program-attacher.js";
import { probedBinary, readBinary, targetSpan } from "./uprobe.js";
import { argSpecFields, parseUsdtArguments, type ArgSpecFields, type UsdtArgument } from "./usdt-arguments.js";
import { fileOffsetOf, usdtNotes, type UsdtNotes, type UsdtProbe } from "./usdt-notes.js";

export const usdtAttacher: ProgramAttacher = { kind: "usdt", attach: attachUsdt, limitsToPid: true };

/** A probe site as attached: where in the file, its semaphore's place, and how its arguments are read. */
interface Site {
  probe: UsdtProbe;
  offset: number;
  semaphore: number;
  args: UsdtArgument[];
}

function attachUsdt(p: LoadedProgram, file: string, opts: AttachOptions): Link {
  const { info } = p;
  const at = targetSpan(info, file);
  const target = parseUsdtTarget(info.target);
  if ("problem" in target) throw new TsbpfError(`usdt: ${target.problem}`, { at, hint: "rebuild the probe with this version's compiler" });
  const path = probedBinary(info, target.binary, usdtProbeName(target), file);
  const notes = readBinary(info, path, file, usdtNotes);
  const probes = probesNamed(info, target, path, notes, file);
  const sites = probes.map((probe) => site(info, probe, path, notes, file));
  for (const s of sites) checkParameters(info, s, path, file);
  const where = `${path}:${usdtProbeName(probes[0])}`;
  const specs = specIds(p);
  const byArgs = new Map<string, number>();
  const links: Link[] = [];
  try {
    for (const s of sites) {
      let id = byArgs.get(s.probe.args);
      if (id === undefined) {
        id = specs.allocate(info, file);
        specs.write(id, s.args.map((a) => argSpecFields(a, s.probe.address, notes.symbol) as ArgSpecFields));
        byArgs.set(s.probe.args, id);
      }
      const link = libbpf().attachUprobe(p.handle, opts.pid ?? -1, path, s.offset, { sz: UPROBE_OPTS_SIZE, ref_ctr_offset: s.semaphore, bpf_cookie: BigInt(id), retprobe: false, func_name: null });
      if (!link) {
        const errno = lastErrno();
        throw new TsbpfError(`cannot attach usdt to ${where} at 0x${s.probe.address.toString(16)}${opts.pid !== undefined ? ` in process ${opts.pid}` : ""} (${errnoText(errno)})`, {
          at,
          hint: s.semaphore ? "the kernel sets a probe's semaphore through the uprobe's reference counter (Linux 4.20): another tool attached with a different one can refuse it" : undefined,
          detail: takeLibbpfMessages().join(""),
        });
      }
      links.push(ownLink(link, `usdt:${where}`));
    }
  } catch (e) {
    links.forEach((l) => l.destroy());
    throw e;
  }
  return links.length === 1 ? links[0] : linkGroup(links, `usdt:${where} (${links.length} sites)`);
}

/** The sites of the probe the target names: by provider and name, or by name where one provider has it. */
function probesNamed(info: ProgramInfo, target: UsdtTarget, path: string, notes: UsdtNotes, file: string): UsdtProbe[] {
  const at = targetSpan(info, file);
  if (!notes.hasNotes)
    throw new MissingProbe(`usdt: ${path} has no USDT probes (no .note.stapsdt section)`, {
      at,
      hint: "USDT probes are what sys/sdt.h's STAP_PROBE and DTRACE_PROBE macros leave in a binary (python3 built --with-dtrace has them); probe its functions with uprobe() instead",
    });
  const found = notes.probes.filter((p) => p.name === target.name && (target.provider === undefined || p.provider === target.provider));
  const providers = [...new Set(found.map((p) => p.provider))];
  if (providers.length > 1)
    throw new TsbpfError(`usdt: '${target.name}' is a probe of several providers in ${path} (${providers.join(", ")})`, {
      at,
      hint: `name its provider: ${providers.map((p) => `"${target.binary}:${p}:${target.name}"`).join(" or ")}`,
    });
  if (found.length) return found;
  const names = new Set(notes.probes.map((p) => (target.provider === undefined ? p.name : usdtProbeName(p))));
  const near = nearestNames(usdtProbeName(target), names);
  throw new MissingProbe(`usdt: ${path} has no probe '${usdtProbeName(target)}'`, {
    at,
    hint: `${near.length ? `did you mean ${near.map((n) => `'${n}'`).join(", ")}? ` : ""}its probes: \`tsbpf list usdt:${path}\` (${notes.probes.length} ${notes.probes.length === 1 ? "site" : "sites"})`,
  });
}

/** Where a site is in the file, its semaphore's place, and its arguments; a note tsbpf cannot use is an error at the target. */
function site(info: ProgramInfo, probe: UsdtProbe, path: string, notes: UsdtNotes, file: string): Site {
  const bad = (why: string) =>
    new TsbpfError(`usdt: the probe ${usdtProbeName(probe)} at 0x${probe.address.toString(16)} in ${path} ${why}`, {
      at: targetSpan(info, file),
      hint: "the binary's note (readelf -n) says so: probe another site, or rebuild the binary with a current sys/sdt.h",
    });
  const offset = fileOffsetOf(notes.segments, probe.address, true);
  if (offset === undefined) throw bad("is in no executable segment of the binary");
  const semaphore = probe.semaphore ? fileOffsetOf(notes.segments, probe.semaphore, false) : 0;
  if (semaphore === undefined) throw bad(`has a semaphore (at 0x${probe.semaphore.toString(16)}) in no writable segment of the binary`);
  const args = parseUsdtArguments(probe.args);
  if ("problem" in args) throw bad(`has an argument tsbpf cannot read: ${args.problem}`);
  if (args.length > USDT_MAX_ARGS) throw bad(`has ${args.length} arguments; libbpf's USDT support reads at most ${USDT_MAX_ARGS}`);
  for (const a of args) {
    const fields = argSpecFields(a, probe.address, notes.symbol);
    if ("problem" in fields) throw bad(`has an argument ('${a.text}') that ${fields.problem}`);
  }
  return { probe, offset, semaphore, args };
}

/** Each handler parameter holds every value its argument at this site has (D163). */
function checkParameters(info: ProgramInfo, s: Site, path: string, file: string): void {
  const parameters = info.parameters ?? [];
  const probe = `${usdtProbeName(s.probe)} (in ${path} at 0x${s.probe.address.toString(16)})`;
  const spanOf = (param: HandlerParameter) => declarationSpan(file, param.at.line, param.at.column, param.at.length);
  parameters.forEach((param, i) => {
    const arg = s.args[i];
    if (!arg)
      throw new TsbpfError(`usdt: parameter '${param.name}' would be argument ${i} of ${probe}, which passes ${s.args.length === 0 ? "no arguments" : `${s.args.length} (${s.args.map((a) => a.text).join(" ")})`}`, {
        at: spanOf(param),
        hint: `leave it out: the handler takes at most ${s.args.length} parameter${s.args.length === 1 ? "" : "s"}`,
      });
    const mismatch = holdsEvery(param.cType, arg);
    if (mismatch)
      throw new TsbpfError(`usdt: parameter '${param.name}' is a ${param.type}, but argument ${i} of ${probe} is ${mismatch} ('${arg.text}')`, {
        at: spanOf(param),
        hint: `declare it ${fitting(arg)}`,
      });
  });
}

const argTypeName = (arg: UsdtArgument): string => `${arg.signed ? "i" : "u"}${arg.size * 8}`;

/** The types that hold the argument exactly, for the hint. */
const fitting = (arg: UsdtArgument): string => (arg.size === 8 && !arg.signed ? "u64, or a UserPtr<T> if it is an address" : arg.size === 8 ? "i64" : `${argTypeName(arg)} (or a wider integer of that sign)`);

/** Why a parameter of type `t` cannot hold the argument's values (its size and sign), or undefined if it can. */
function holdsEvery(t: CType, arg: UsdtArgument): string | undefined {
  const what = `${arg.signed ? "a signed" : "an unsigned"} ${arg.size}-byte integer`;
  if (t.kind === "bool") return undefined;
  if (t.kind === "ptr") return arg.size === 8 ? undefined : what;
  if (t.kind !== "int") return what;
  const [min, max] = intRange(t);
  const [argMin, argMax] = intRange({ bits: arg.size * 8, signed: arg.signed });
  return min <= argMin && argMax <= max ? undefined : what;
}

/** The object's spec ids (shared by its usdt programs): the next free one, and writing a spec there. */
function specIds(p: LoadedProgram) {
  const state = p.object.attachState;
  const next = (state.get("usdt.nextSpecId") as number | undefined) ?? 0;
  state.set("usdt.nextSpecId", next);
  return {
    allocate(info: ProgramInfo, file: string): number {
      const id = state.get("usdt.nextSpecId") as number;
      if (id >= USDT_MAX_SPECS)
        throw new TsbpfError(`usdt: the probe's USDT programs need more than ${USDT_MAX_SPECS} distinct argument specs (libbpf's BPF_USDT_MAX_SPEC_CNT)`, {
          at: targetSpan(info, file),
          hint: "probe fewer USDT probes in one file, or limit them with --pid",
        });
      state.set("usdt.nextSpecId", id + 1);
      return id;
    },
    write(id: number, args: ArgSpecFields[]): void {
      const empty: ArgSpecFields = { val_off: 0n, arg_type: 0, reg_off: 0, arg_signed: false, arg_bitshift: 0 };
      const spec = { args: Array.from({ length: USDT_MAX_ARGS }, (_, i) => args[i] ?? empty), usdt_cookie: 0n, arg_cnt: args.length };
      const value = Buffer.from(encodeValue(USDT_SPEC, spec, "a USDT spec"));
      const key = Buffer.alloc(4);
      key.writeInt32LE(id);
      const lib = libbpf();
      const map = lib.findMapByName(p.object.handle, USDT_MAPS.specs);
      const err = map === null ? -1 : lib.mapUpdateElem(map, key, 4, value, value.length, 0n);
      if (err < 0) throw new Error(`internal error: cannot write USDT spec ${id} (${map === null ? "no map" : errnoText(-err)})`);
    },
  };
}
