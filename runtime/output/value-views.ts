// A C type's values as user space sees and prints them: the decoder (contract/c-values.ts) gives
// raw integers and bytes; a type that holds a formatted one (a SyscallNr key, an Ipv4Addr field)
// shows it through its formatter (value-formats.ts). Worked out once per type: a type with no
// format inside has no `show` at all, and a struct's view touches only its formatted fields.

import type { CType, ValueFormat } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import type { ValueFormatter } from "./value-formats.js";

export interface ValueView {
  /** A decoded value as user space sees it (in place for structs); undefined: as decoded. */
  readonly show?: (raw: CValue) => CValue;
  /** A value given from user space, shown or raw, as the encoder takes it; undefined: as given. */
  readonly accept?: (given: unknown) => unknown;
  /** A shown value as `tsbpf run` prints it, as bpftrace prints its maps: `{ .a = 1, .b = x }`, `[1,2]`. */
  readonly text: (shown: CValue) => string;
}

const views = new WeakMap<CType, ValueView>();

export function viewOf(t: CType): ValueView {
  let v = views.get(t);
  if (!v) {
    v = makeView(t);
    views.set(t, v);
  }
  return v;
}

/** Loaded when a formatted type is first met: the name tables cost a run that shows none nothing. */
function formatterOf(format: Exclude<ValueFormat, "kstack" | "ustack">): ValueFormatter {
  const { VALUE_FORMATTERS } = require("./value-formats.js") as typeof import("./value-formats.js");
  return VALUE_FORMATTERS[format];
}

const PLAIN: ValueView = { text: (v) => String(v) };

function makeView(t: CType): ValueView {
  if ((t.kind === "int" || t.kind === "array") && t.format)
    return t.format === "kstack" || t.format === "ustack" ? (require("./stacks.js") as typeof import("./stacks.js")).stackView(t) : formatterOf(t.format);
  if (t.kind === "array") return arrayView(viewOf(t.elem));
  if (t.kind === "struct") return structView(t.fields.map((f) => ({ name: f.name, view: viewOf(f.type) })));
  return PLAIN;
}

function arrayView(elem: ValueView): ValueView {
  const { show, accept } = elem;
  return {
    show: show && ((raw) => (raw as CValue[]).map(show)),
    accept: accept && ((given) => (Array.isArray(given) ? given.map(accept) : given)),
    text: (v) => (Array.isArray(v) ? `[${v.map(elem.text).join(",")}]` : String(v)),
  };
}

function structView(fields: { name: string; view: ValueView }[]): ValueView {
  const shown = fields.filter((f) => f.view.show);
  const accepted = fields.filter((f) => f.view.accept);
  return {
    show: shown.length
      ? (raw) => {
          const o = raw as Record<string, CValue>;
          for (const f of shown) setOwn(o, f.name, f.view.show!(o[f.name]));
          return o;
        }
      : undefined,
    // A copy: the caller's object is left as it was.
    accept: accepted.length
      ? (given) => {
          if (typeof given !== "object" || given === null || Array.isArray(given)) return given;
          const o = { ...given } as Record<string, unknown>;
          for (const f of accepted) if (Object.hasOwn(o, f.name)) setOwn(o, f.name, f.view.accept!(o[f.name]));
          return o;
        }
      : undefined,
    // A reader may fold a struct into one number (Min's and Max's slots): that prints as it is.
    text: (v) => {
      if (typeof v !== "object" || Array.isArray(v)) return String(v);
      return `{ ${fields.map((f) => `.${f.name} = ${f.view.text(v[f.name])}`).join(", ")} }`;
    },
  };
}

/** o[name] = v, also for a field named `__proto__` (which assignment would make the prototype). */
function setOwn(o: Record<string, unknown>, name: string, v: unknown): void {
  if (name === "__proto__") Object.defineProperty(o, name, { value: v, enumerable: true, writable: true, configurable: true });
  else o[name] = v;
}
