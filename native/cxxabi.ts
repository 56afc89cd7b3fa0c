// The C++ runtime's demangler, `abi::__cxa_demangle` of libstdc++ (what c++filt, perf and
// bpftrace's bcc call), through koffi. Only this file knows its C signature. A machine without
// libstdc++.so.6 has no demangler: names then stay as the binary spells them. TSBPF_LIBSTDCXX
// names a library file to use instead (as TSBPF_LIBBPF does libbpf's).

import koffi from "koffi";

type Demangle = (mangled: string, buffer: null, length: null, status: number[]) => string | null;

let bound: Demangle | null | undefined;

function bind(): Demangle | null {
  try {
    // `!`: koffi copies the string the function mallocs, then frees it.
    return koffi.load(process.env.TSBPF_LIBSTDCXX || "libstdc++.so.6").func("const char *! __cxa_demangle(const char *mangled, void *buf, void *len, _Out_ int *status)") as unknown as Demangle;
  } catch {
    return null;
  }
}

/** Whether the C++ runtime's demangler could be loaded (libstdc++.so.6). */
export const cxaDemanglerLoaded = (): boolean => (bound === undefined ? (bound = bind()) : bound) !== null;

/** An Itanium-mangled name (`_ZN2ns5Klass6methodEi`) as C++ spells it (`ns::Klass::method(int)`); undefined if it is not one, or no demangler is here. */
export function cxaDemangle(mangled: string): string | undefined {
  if (bound === undefined) bound = bind();
  if (!bound) return undefined;
  const status = [0];
  const text = bound(mangled, null, null, status);
  return status[0] === 0 && text !== null ? text : undefined;
}
