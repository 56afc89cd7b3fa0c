// Kernel addresses to symbols (`vfs_read+0x12`), from /proc/kallsyms: read once, on the first
// address shown, then found by binary search. A process the kernel does not trust with its
// addresses (kernel.kptr_restrict) reads every address there as 0: it then shows addresses in
// hex, and `hidden` says why.
//
// The file has 120,000 lines and more; it is kept as read (bytes), with each symbol's address as
// two 32-bit halves and the offset of its line, and a name is cut out only when an address is
// shown (reading takes ≈ 110 ms, in the kernel; indexing the bytes ≈ 10 ms, D169).

import { readFileSync } from "node:fs";

export interface KernelSymbol {
  name: string;
  /** Bytes from the symbol's start. */
  offset: bigint;
  /** The module it belongs to; undefined for the kernel image. */
  module?: string;
}

/** No kernel function or object is larger: an address further from the symbol below it is in none. */
const MAX_OFFSET = 1n << 20n;

export class KernelSymbols {
  private byName: Map<string, bigint> | undefined;

  private constructor(
    private readonly text: Buffer,
    /** Each symbol's address halves and the offset of its line in `text`, ascending by address. */
    private readonly high: Uint32Array,
    private readonly low: Uint32Array,
    private readonly line: Int32Array,
    /** Why addresses are not shown as symbols (kallsyms unreadable, or all zeros); undefined if they are. */
    readonly hidden: string | undefined,
  ) {}

  /** The symbols of `path` (/proc/kallsyms, or a file in its format). */
  static read(path = "/proc/kallsyms"): KernelSymbols {
    let text: Buffer;
    try {
      text = readFileSync(path);
    } catch (e) {
      return KernelSymbols.none(`${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    return KernelSymbols.index(text, path);
  }

  private static none(why: string): KernelSymbols {
    return new KernelSymbols(Buffer.alloc(0), new Uint32Array(0), new Uint32Array(0), new Int32Array(0), why);
  }

  /** The bytes read, a line at a time: the address's hex digits into two halves, the line's end found by memchr (Buffer.indexOf). */
  private static index(text: Buffer, path: string): KernelSymbols {
    let high: Uint32Array = new Uint32Array(1 << 16);
    let low: Uint32Array = new Uint32Array(1 << 16);
    let line: Int32Array = new Int32Array(1 << 16);
    let n = 0;
    /** How many symbols from the first are in order: all, or the kernel's own before the modules'. */
    let inOrder = -1;
    let nonZero = false;
    const length = text.length;
    // Each line: "<hex address> <type> <name>[\t[<module>]]".
    for (let start = 0; start < length; ) {
      let end = text.indexOf(NEWLINE, start);
      if (end < 0) end = length;
      let h = 0;
      let l = 0;
      let at = start;
      for (; at < end; at++) {
        const digit = HEX[text[at]];
        if (digit === 0xff) break;
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | digit) >>> 0;
      }
      const type = text[at + 1];
      // 'a'/'A': absolute values, not addresses of code or data.
      if (at > start && text[at] === SPACE && at + 1 < end && type !== 0x61 && type !== 0x41) {
        if (n === high.length) [high, low, line] = [grow(high), grow(low), grow(line)];
        high[n] = h;
        low[n] = l;
        line[n] = start;
        if (h || l) nonZero = true;
        if (inOrder < 0 && n && (h < high[n - 1] || (h === high[n - 1] && l < low[n - 1]))) inOrder = n;
        n++;
      }
      start = end + 1;
    }
    if (!n) return KernelSymbols.none(`${path} lists no symbols`);
    if (!nonZero) return KernelSymbols.none(`${path} shows every address as 0 (kernel.kptr_restrict = ${readRestriction()}): kernel addresses are shown in hex; run as root, or set kernel.kptr_restrict to 0 or 1`);
    if (inOrder < 0) return new KernelSymbols(text, high.subarray(0, n), low.subarray(0, n), line.subarray(0, n), undefined);
    // The kernel's own symbols come in order; modules' (and BPF's, ftrace's) follow, a few
    // thousand at most: those are sorted by themselves (a comparator over all 120,000 took 60 ms),
    // then merged with the rest.
    const before = (a: number, b: number) => high[a] < high[b] || (high[a] === high[b] && low[a] < low[b]);
    const tail = Int32Array.from({ length: n - inOrder }, (_, i) => inOrder + i).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : a - b));
    const [h, l, at] = [new Uint32Array(n), new Uint32Array(n), new Int32Array(n)];
    for (let i = 0, j = 0, k = 0; k < n; k++) {
      const from = j >= tail.length || (i < inOrder && !before(tail[j], i)) ? i++ : tail[j++];
      h[k] = high[from];
      l[k] = low[from];
      at[k] = line[from];
    }
    return new KernelSymbols(text, h, l, at, undefined);
  }

  /** The symbol `address` falls in (the nearest at or below it, within 1 MiB), or undefined. */
  lookup(address: bigint): KernelSymbol | undefined {
    const n = this.high.length;
    const h = Number(address >> 32n);
    const l = Number(address & 0xffffffffn);
    const below = (i: number) => this.high[i] < h || (this.high[i] === h && this.low[i] <= l);
    if (!n || !below(0)) return undefined;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (below(mid)) lo = mid;
      else hi = mid - 1;
    }
    const offset = address - this.addressAt(lo);
    if (offset >= MAX_OFFSET) return undefined;
    return { ...this.nameAt(lo), offset };
  }

  /** `name+0x12` (`name` at its start; `name [module]` in a module); hex where no symbol holds it. */
  format(address: bigint): string {
    const s = this.lookup(address);
    if (!s) return `0x${address.toString(16)}`;
    const at = s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
    return s.module ? `${at} [${s.module}]` : at;
  }

  /** A stack's frame as bpftrace writes one: `name+506` (the offset in decimal), `name` at its start; hex where no symbol holds it. */
  frame(address: bigint): string {
    const s = this.lookup(address);
    if (!s) return `0x${address.toString(16)}`;
    return s.offset ? `${s.name}+${s.offset}` : s.name;
  }

  /** The address of symbol `name` (the lowest, where a name repeats), or undefined. */
  addressOf(name: string): bigint | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (let i = 0; i < this.line.length; i++) {
        const s = this.nameAt(i).name;
        if (!this.byName.has(s)) this.byName.set(s, this.addressAt(i));
      }
    }
    return this.byName.get(name);
  }

  private addressAt(i: number): bigint {
    return (BigInt(this.high[i]) << 32n) | BigInt(this.low[i]);
  }

  private nameAt(i: number): { name: string; module?: string } {
    const start = this.text.indexOf(SPACE, this.line[i]) + 3;
    let end = this.text.indexOf(NEWLINE, start);
    if (end < 0) end = this.text.length;
    const [name, module] = this.text.toString("latin1", start, end).split("\t");
    return module === undefined ? { name } : { name, module: module.replace(/^\[|\]$/g, "") };
  }
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
/** Each byte's value as a lower-case hex digit (as kallsyms writes them); 0xff if it is none. */
const HEX = new Uint8Array(256).fill(0xff);
for (let d = 0; d < 16; d++) HEX["0123456789abcdef".charCodeAt(d)] = d;

function grow<T extends Uint32Array | Int32Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}

function readRestriction(): string {
  try {
    return readFileSync("/proc/sys/kernel/kptr_restrict", "utf8").trim();
  } catch {
    return "unknown";
  }
}

let shared: KernelSymbols | undefined;

/** This machine's kernel symbols, read on first use. */
export function kernelSymbols(): KernelSymbols {
  shared ??= KernelSymbols.read();
  return shared;
}
