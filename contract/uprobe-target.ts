// A uprobe's target, "binary:symbol" or "binary:symbol+offset", as the compiler checks it and
// the runtime attaches it: the binary by absolute path, a library by short name ("libc"), or a
// command on PATH ("bash"); the symbol a function in its ELF symbol tables.

export interface UprobeTarget {
  /** As written: "/usr/bin/bash", "libc", "libc.so.6", "bash". */
  binary: string;
  symbol: string;
  /** Bytes past the symbol's address (`+0x10`, `+16`); 0 for its entry. */
  offset: number;
}

// C identifiers, C++ and Rust mangled names ($ and . in them), versioned names (getaddrinfo@GLIBC_2.2.5).
const SYMBOL = /^[A-Za-z_.$][A-Za-z0-9_.$@]*$/;
const OFFSET = /^(?:0x[0-9a-fA-F]+|[0-9]+)$/;

/** The target's parts, or what is wrong with it (a sentence for the error). */
export function parseUprobeTarget(text: string): UprobeTarget | { problem: string } {
  const colon = text.lastIndexOf(":");
  if (colon <= 0 || colon === text.length - 1) return { problem: `"${text}" is not "binary:function"` };
  const binary = text.slice(0, colon);
  let symbol = text.slice(colon + 1);
  let offset = 0;
  const plus = symbol.indexOf("+");
  if (plus >= 0) {
    const o = symbol.slice(plus + 1);
    if (!OFFSET.test(o)) return { problem: `the offset in "${text}" is not a number ("+0x10" or "+16")` };
    offset = Number(o);
    if (!Number.isSafeInteger(offset)) return { problem: `the offset in "${text}" is too large` };
    symbol = symbol.slice(0, plus);
  }
  if (!SYMBOL.test(symbol)) return { problem: `"${symbol}" in "${text}" is not a function's name` };
  if (/[\0\n]/.test(binary)) return { problem: `the binary in "${text}" is not a file name` };
  return { binary, symbol, offset };
}
