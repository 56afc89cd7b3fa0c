// What `tsbpf inspect` prints: each program's instructions under the TypeScript lines they come
// from (as `bpftool prog dump xlated linum` and the verifier log print them), its section and
// instruction counts; the maps with their kinds, key and value types and sizes; the params; and
// the BTF the object carries, as C.

import { basename } from "node:path";
import { cTypeName, sizeOf, type CType } from "../../contract/c-layout.js";
import { visible } from "../../contract/errors.js";
import type { CompiledObject, MapInfo } from "../../contract/manifest.js";
import { isStream } from "../maps/open-map.js";
import { instructionText } from "./bpf-instructions.js";
import type { BpfObject, CodeFunction } from "./bpf-object.js";
import { dataVariables, objectMaps, type ObjectMap } from "./object-data.js";

/** A probe's compile manifest, when the object was compiled from one here. */
export interface Manifest extends Pick<CompiledObject, "programs" | "maps" | "params"> {
  /** The probe's source. */
  file: string;
}

/** Longer BTF listings are cut here, with a count of the rest. */
const MAX_BTF_LINES = 200;

export function inspectText(o: BpfObject, manifest?: Manifest): string {
  const out: string[] = [];
  const maps = objectMaps(o);
  const programs = o.programs;
  out.push(
    `${visible(manifest?.file ?? o.file)}: ${count(programs.length, "program")}, ${count(o.subprograms.length, "subprogram")}, ${count(maps.length, "map")}` +
      `${manifest ? `, ${count(manifest.params.length, "param")}` : ""}; licence ${o.license !== undefined ? JSON.stringify(o.license) : "none"}`,
  );
  for (const f of programs) out.push("", ...functionText(o, f, manifest));
  for (const f of o.subprograms) out.push("", ...functionText(o, f, manifest));
  out.push("", ...mapsText(maps, manifest));
  out.push("", ...(manifest ? paramsText(manifest) : dataText(o)));
  out.push("", ...btfText(o));
  return out.join("\n") + "\n";
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

function functionText(o: BpfObject, f: CodeFunction, manifest: Manifest | undefined): string[] {
  const callees = f.program ? o.callees(f) : [];
  const loaded = callees.length ? `, ${o.loadedSlots(f)} as libbpf loads it (with ${callees.map((c) => c.name).join(", ")})` : "";
  const info = manifest?.programs.find((p) => p.name === f.name);
  const declared = info ? `; ${info.kind} ${visible(info.target)}, ${basename(manifest!.file)}:${info.line}` : "";
  const callers = f.program ? "" : `; called by ${o.programs.filter((p) => o.callees(p).includes(f)).map((p) => p.name).join(", ") || "no program"}`;
  const out = [`${f.program ? "program" : "subprogram"} ${f.name}: section ${visible(f.section.name)}, ${count(f.slots, "instruction")}${loaded}${declared}${callers}`];
  let shownLine: string | undefined;
  for (const s of o.instructions(f)) {
    if (s.line) {
      const where = `${basename(s.line.file)}:${s.line.line}`;
      // One comment per source line: LLVM starts a new record at each column of it too.
      if (where !== shownLine) out.push(s.line.line === 0 ? "; (no source line: code the compiler adds)" : `; ${visible(s.line.text.trim())} @ ${visible(where)}${s.line.column ? `:${s.line.column}` : ""}`);
      shownLine = where;
    }
    const notes = [...(s.jumpsTo !== undefined ? [`to ${s.jumpsTo}`] : []), ...s.core];
    out.push(visible(`${String(s.index).padStart(5)}: ${instructionText(s.instruction, s.next, s.operands)}${notes.length ? `  /* ${notes.join("; ")} */` : ""}`));
  }
  return out;
}

function mapsText(maps: ObjectMap[], manifest: Manifest | undefined): string[] {
  if (!maps.length) return ["maps: none"];
  const out = ["maps:"];
  for (const m of maps) {
    const declared = manifest?.maps.find((d) => d.name === m.name);
    const typed = (what: string, t: { text: string; size: number } | undefined) => (t ? `, ${what} ${visible(t.text)} (${count(t.size, "byte")})` : "");
    const kernel = `${m.type}, max_entries ${m.maxEntries}${typed("key", m.key)}${typed("value", m.value)}${m.flags ? `, flags 0x${m.flags.toString(16)}` : ""}`;
    out.push(`  ${visible(m.name)}: ${kernel}${declared ? `; ${declaredMap(declared, manifest!)}` : manifest ? "; added by tsbpf" : ""}`);
  }
  return out;
}

/** A map as the probe declares it: its class, its key and value (a stream's events), where. */
function declaredMap(m: MapInfo, manifest: Manifest): string {
  const shown = (t: CType) => `${cTypeName(t)} (${count(sizeOf(t), "byte")})`;
  const types = isStream(m) ? `events ${shown(m.value)}` : m.keyless ? `value ${shown(m.value)}` : `key ${shown(m.key)}, value ${shown(m.value)}`;
  return `${m.kind}, ${types}, ${basename(manifest.file)}:${m.line}`;
}

function paramsText(manifest: Manifest): string[] {
  if (!manifest.params.length) return ["params: none"];
  return ["params (.rodata.params, set at load: --param NAME=value):", ...manifest.params.map((p) => `  ${p.name}: ${p.type} = ${p.defaultValue} (offset ${p.offset})`)];
}

function dataText(o: BpfObject): string[] {
  const vars = dataVariables(o);
  if (!vars.length) return ["params and data: none"];
  return [
    "params and data (initial values; a loader may set those in .rodata* before loading):",
    ...vars.map((v) => `  ${visible(v.section)}+${v.offset}: ${visible(v.type)} ${visible(v.name)} = ${visible(v.value)} (${count(v.size, "byte")})`),
  ];
}

function btfText(o: BpfObject): string[] {
  if (!o.btf) return ["BTF: none (libbpf refuses BTF-defined maps without it; the verifier's messages have no source lines)"];
  const lines = [...(o.ext?.lines.values() ?? [])].reduce((n, l) => n + l.length, 0);
  const core = [...(o.ext?.relocations.values() ?? [])].reduce((n, l) => n + l.length, 0);
  const definitions = o.c?.definitions() ?? [];
  const shown = definitions.slice(0, MAX_BTF_LINES).map((d) => `  ${visible(d)}`);
  if (definitions.length > MAX_BTF_LINES) shown.push(`  … ${definitions.length - MAX_BTF_LINES} more`);
  return [`BTF: ${count(o.btf.count - 1, "type")} (${o.btf.byteLength} bytes), ${count(lines, "line info record")}, ${count(core, "CO-RE relocation")}:`, ...shown];
}
