// bpf_map_lookup_elem / update_elem on a loaded map, with keys and values as bytes of the
// manifest's C types: what every map kind's reader is made of.

import { alignUp, cTypeName } from "../../contract/c-layout.js";
import { codecOf, decodeValue, encodeInto, encodeValue, type CValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { Errno, errnoText, libbpf } from "../../native/libbpf.js";

let cpus: number | undefined;

/** The CPUs the kernel may ever bring up: how many values a per-CPU map keeps per entry. */
function possibleCpus(): number {
  cpus ??= libbpf().numPossibleCpus();
  if (cpus < 1) throw new TsbpfError(`cannot count this machine's CPUs (${errnoText(-cpus)})`, { subject: "/sys/devices/system/cpu/possible" });
  return cpus;
}

export class BpfMap {
  private readonly keySize: number;
  /** One value's bytes; a per-CPU map's values are each this, rounded up to 8, one per possible CPU. */
  private readonly valueSize: number;
  private readonly stride: number;
  /** How many values a lookup gives: 1, or the possible CPUs for a per-CPU map. */
  readonly copies: number;

  /** `handle` gives libbpf's handle for each access: it refuses once the probe is closed. */
  constructor(
    readonly info: MapInfo,
    private readonly handle: () => bigint,
    perCpu = false,
  ) {
    this.keySize = codecOf(info.key).size;
    this.valueSize = codecOf(info.value).size;
    this.stride = perCpu ? alignUp(this.valueSize, 8) : this.valueSize;
    this.copies = perCpu ? possibleCpus() : 1;
  }

  /** The value at `key`; undefined when the kernel has none (ENOENT). */
  lookup(key: unknown): CValue | undefined {
    const bytes = this.lookupBytes(key);
    return bytes && decodeValue(this.info.value, bytes);
  }

  /** A per-CPU map's values at `key`, one per possible CPU; undefined when there are none. */
  lookupPerCpu(key: unknown): CValue[] | undefined {
    const bytes = this.lookupBytes(key);
    return bytes && Array.from({ length: this.copies }, (_, cpu) => decodeValue(this.info.value, bytes, cpu * this.stride));
  }

  private lookupBytes(key: unknown): Buffer | undefined {
    const size = this.stride * this.copies;
    const value = Buffer.alloc(size);
    const err = libbpf().mapLookupElem(this.handle(), this.key(key), this.keySize, value, size, 0n);
    if (err === -Errno.ENOENT) return undefined;
    if (err < 0) throw this.failure("read", err);
    return value;
  }

  /** Sets the value at `key` (every CPU's, for a per-CPU map). */
  update(key: unknown, value: unknown, flags = 0n): void {
    const size = this.stride * this.copies;
    const bytes = Buffer.alloc(size);
    for (let cpu = 0; cpu < this.copies; cpu++) encodeInto(this.info.value, value, bytes, cpu * this.stride, `the value for map '${this.info.name}'`);
    const err = libbpf().mapUpdateElem(this.handle(), this.key(key), this.keySize, bytes, size, flags);
    if (err < 0) throw this.failure("write", err);
  }

  /** Removes the entry at `key`; whether there was one. */
  delete(key: unknown): boolean {
    const err = libbpf().mapDeleteElem(this.handle(), this.key(key), this.keySize, 0n);
    if (err === -Errno.ENOENT) return false;
    if (err < 0) throw this.failure("write", err);
    return true;
  }

  /** Every key, in the kernel's order (a key deleted meanwhile may end the walk early, as with bpftool). */
  keys(): CValue[] {
    const keys: CValue[] = [];
    let previous: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      const err = libbpf().mapNextKey(this.handle(), previous, next, this.keySize);
      if (err === -Errno.ENOENT) return keys;
      if (err < 0) throw this.failure("read", err);
      keys.push(decodeValue(this.info.key, next));
      previous = next;
    }
  }

  private key(key: unknown): Buffer {
    const bytes = encodeValue(this.info.key, key, `the key for map '${this.info.name}'`);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private failure(what: string, err: number): TsbpfError {
    return new TsbpfError(`cannot ${what} map '${this.info.name}' (${errnoText(-err)})`, {
      subject: `map '${this.info.name}'`,
      hint: err === -Errno.E2BIG ? `its keys go from 0 to ${this.info.maxEntries - 1}` : undefined,
    });
  }
}

/** The total of a per-CPU map's values at one key (integer values only); undefined without an entry. */
export function sumOf(info: MapInfo, values: CValue[] | undefined): number | bigint | undefined {
  if (info.value.kind !== "int" || info.value.enumerators)
    throw new TsbpfError(`sum() adds up integer values; map '${info.name}' holds ${info.value.kind === "int" ? "an enum's" : cTypeName(info.value)}`, { subject: `map '${info.name}'`, hint: "read each CPU's value with get()" });
  if (!values) return undefined;
  if (info.value.bits === 64) return values.reduce<bigint>((a, v) => a + (v as bigint), 0n);
  return values.reduce<number>((a, v) => a + (v as number), 0);
}
