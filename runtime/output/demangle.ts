// Function names in user stacks as their languages spell them (D168, D178):
// - C++'s Itanium names (`_ZN2ns5Klass6methodEi` → `ns::Klass::method(int)`) through the C++
//   runtime's own demangler (native/cxxabi.ts);
// - Rust's legacy names, which are Itanium names with a hash and `$…$` escapes, then cleaned as
//   rustfilt cleans them (`_ZN3std2rt10lang_start17h…E` → `std::rt::lang_start`);
// - Rust's v0 names (`_R…`) by our own reader of their grammar (rust-v0-demangle.ts), printed as
//   c++filt prints them (`_RNvCs1234_7mycrate3foo` → `mycrate[3c1c0]::foo`).
// Each name is demangled once.

import { cxaDemangle } from "../../native/cxxabi.js";
import { demangleRustV0 } from "./rust-v0-demangle.js";

const known = new Map<string, string>();
/** Names kept demangled at most: far above the distinct functions a print shows. */
const MAX_KNOWN = 1 << 16;

/** `name` demangled where it is a C++ or Rust name (and, for C++, a demangler is here); as it is otherwise. */
export function demangle(name: string): string {
  const rustV0 = name.startsWith("_R");
  if (!rustV0 && !name.startsWith("_Z")) return name;
  let shown = known.get(name);
  if (shown === undefined) {
    shown = rustV0 ? (demangleRustV0(name) ?? name) : itaniumOrLegacy(name);
    if (known.size >= MAX_KNOWN) known.clear();
    known.set(name, shown);
  }
  return shown;
}

function itaniumOrLegacy(name: string): string {
  const itanium = cxaDemangle(name);
  return itanium === undefined ? name : name.startsWith("_ZN") ? (rustLegacy(itanium) ?? itanium) : itanium;
}

/** A hash rustc ends legacy names with: `h` and 16 hex digits. */
const RUST_HASH = /^h[0-9a-f]{16}$/;

/** rustc's escapes in legacy names (rustc-demangle's legacy.rs). */
const ESCAPES: Record<string, string> = { SP: "@", BP: "*", RF: "&", LT: "<", GT: ">", LP: "(", RP: ")", C: "," };

/** A demangled Itanium name that is Rust's legacy form, without its hash and escapes; undefined if it is not one. */
function rustLegacy(itanium: string): string | undefined {
  const parts = itanium.split("::");
  if (parts.length < 2 || !RUST_HASH.test(parts[parts.length - 1])) return undefined;
  return parts
    .slice(0, -1)
    .map((part) =>
      (part.startsWith("_$") ? part.slice(1) : part)
        .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{1,6})\$/g, (_, code: string) => ESCAPES[code] ?? String.fromCodePoint(parseInt(code.slice(1), 16)))
        .replace(/\.\./g, "::"),
    )
    .join("::");
}
