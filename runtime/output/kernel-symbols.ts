// Kernel addresses to symbols (`vfs_read+0x12`), from /proc/kallsyms: read once, on the first
// address shown, then found by binary search. A process the kernel does not trust with its
// addresses (kernel.kptr_restrict) reads every address there as 0: it then shows addresses in
// hex, and `hidden` says why.
//
// The file has 120,000 lines and more; it is kept as read, with each symbol's address as two
// 32-bit halves and the offset of its line, and a name is cut out only when an address is shown
// (reading takes ≈ 110 ms, in the kernel; indexing ≈ 30 ms).

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
    private readonly text: string,
    /** Each symbol's address halves and the offset of its line in `text`, ascending by address. */
    private readonly high: Uint32Array,
    private readonly low: Uint32Array,
    private readonly line: Int32Array,
    /** Why addresses are not shown as symbols (kallsyms unreadable, or all zeros); undefined if they are. */
    readonly hidden: string | undefined,
  ) {}

  /** The symbols of `path` (/proc/kallsyms, or a file in its format). */
  static read(path = "/proc/kallsyms"): KernelSymbols {
    let text: string;
    try {
      text = readFileSync(path, "latin1");
    } catch (e) {
      return KernelSymbols.none(`${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
    return KernelSymbols.index(text, path);
  }

  private static none(why: string): KernelSymbols {
    return new KernelSymbols("", new Uint32Array(0), new Uint32Array(0), new Int32Array(0), why);
  }

  private static index(text: string, path: string): KernelSymbols {
    let high: Uint32Array = new Uint32Array(1 << 16);
    let low: Uint32Array = new Uint32Array(1 << 16);
    let line: Int32Array = new Int32Array(1 << 16);
    let n = 0;
    let sorted = true;
    let nonZero = false;
    // Each line: "<hex address> <type> <name>[\t[<module>]]".
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const space = text.indexOf(" ", start);
      const type = text.charCodeAt(space + 1);
      // 'a'/'A': absolute values, not addresses of code or data.
      if (space > start && space < end && type !== 0x61 && type !== 0x41) {
        if (n === high.length) [high, low, line] = [grow(high), grow(low), grow(line)];
        const split = Math.max(start, space - 8);
        high[n] = hexAt(text, start, split);
        low[n] = hexAt(text, split, space);
        line[n] = start;
        if (high[n] || low[n]) nonZero = true;
        if (n && (high[n] < high[n - 1] || (high[n] === high[n - 1] && low[n] < low[n - 1]))) sorted = false;
        n++;
      }
      start = end + 1;
    }
    if (!n) return KernelSymbols.none(`${path} lists no symbols`);
    if (!nonZero) return KernelSymbols.none(`${path} shows every address as 0 (kernel.kptr_restrict = ${readRestriction()}): kernel addresses are shown in hex; run as root, or set kernel.kptr_restrict to 0 or 1`);
    if (sorted) return new KernelSymbols(text, high.subarray(0, n), low.subarray(0, n), line.subarray(0, n), undefined);
    // The kernel's own symbols come in order; modules' follow, each in its own.
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => high[a] - high[b] || low[a] - low[b]);
    return new KernelSymbols(text, Uint32Array.from(order, (i) => high[i]), Uint32Array.from(order, (i) => low[i]), Int32Array.from(order, (i) => line[i]), undefined);
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
    const start = this.text.indexOf(" ", this.line[i]) + 3;
    let end = this.text.indexOf("\n", start);
    if (end < 0) end = this.text.length;
    const [name, module] = this.text.slice(start, end).split("\t");
    return module === undefined ? { name } : { name, module: module.replace(/^\[|\]$/g, "") };
  }
}

/** The hex digits (lower case, as kallsyms writes them) of text[from, to) as a number: 8 at most. */
function hexAt(text: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    v = v * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return v;
}

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
