// Load-time parameters: written into the `.rodata.params` map's initial value after libbpf opens
// the object and before the kernel loads it (then the map is frozen: programs see constants).

import koffi from "koffi";
import { TsbpfError } from "../contract/errors.js";
import { intRange } from "../contract/c-layout.js";
import { encodeInto } from "../contract/c-values.js";
import type { ParamLayout } from "../contract/manifest.js";
import { libbpf } from "../native/libbpf.js";

export type ParamValue = number | bigint | string;
/** By name: an object's own properties (never inherited ones), or a Map. */
export type ParamValues = Readonly<Record<string, ParamValue>> | ReadonlyMap<string, ParamValue>;

/** Checks the values against the declarations: every name known, every value in range. */
export function resolveParams(layout: ParamLayout[], values: ParamValues, file: string): Map<ParamLayout, bigint> {
  // Names are looked up in Maps: an object would find `constructor` or `__proto__` in its prototype.
  const declared = new Map(layout.map((l) => [l.name, l]));
  const given: [string, unknown][] = values instanceof Map ? [...values] : Object.entries(values);
  const out = new Map<ParamLayout, bigint>();
  for (const [name, raw] of given) {
    const l = declared.get(name);
    if (!l)
      throw new TsbpfError(`the probe has no param '${name}'`, {
        subject: file,
        hint: layout.length ? `its params are: ${layout.map((x) => `${x.name} (${x.type})`).join(", ")}` : 'it declares none; declare one with `const X = param<u32>("X", 0)`',
      });
    let v: bigint;
    try {
      // BigInt() would also take `true` as 1 and "" as 0
      if (!["number", "bigint", "string"].includes(typeof raw) || String(raw).trim() === "") throw new TypeError();
      v = BigInt(typeof raw === "string" ? raw.trim() : (raw as number | bigint));
    } catch {
      throw new TsbpfError(`param ${name} must be an integer, not '${String(raw)}'`, { subject: file, hint: `e.g. ${name}=42 or ${name}=0x2a` });
    }
    const [min, max] = intRange(l.cType);
    if (v < min || v > max) throw new TsbpfError(`param ${name} = ${v} does not fit in ${l.type}`, { subject: file, hint: `a ${l.type} holds ${min} to ${max}` });
    out.set(l, v);
  }
  return out;
}

/** Writes the values into the opened (not yet loaded) object's params map. */
export function writeParams(obj: bigint, values: Map<ParamLayout, bigint>): void {
  if (!values.size) return;
  const lib = libbpf();
  for (let m = lib.nextMap(obj, null); m; m = lib.nextMap(obj, m)) {
    // libbpf names the map after the section, shortened to fit: "<object>.rodata.params" or "….rodata.params".
    if (!lib.mapName(m).endsWith("rodata.params")) continue;
    const size = [0n];
    const ptr = lib.mapInitialValue(m, size);
    if (!ptr) break;
    const bytes = new Uint8Array(koffi.view(ptr, Number(size[0])));
    for (const [l, v] of values) encodeInto(l.cType, v, bytes, l.offset, `param ${l.name}`);
    return;
  }
  throw new Error("the compiled object has params but no .rodata.params map");
}
