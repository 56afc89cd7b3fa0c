// bpf_map_lookup_elem / update_elem on a loaded map, with keys and values as bytes of the
// manifest's C types: what every map kind's reader is made of. Keys and values are shown as user
// space sees them (output/value-views.ts: a SyscallNr key is its name), and taken back so.
// Whole-map reads go through bpf_map_lookup_batch (map-batch.ts) where the kernel has it.

import { alignUp, cTypeName } from "../../contract/c-layout.js";
import { codecOf, encodeValue, type Codec, type CValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { Errno, errnoText, libbpf } from "../../native/libbpf.js";
import { viewOf, type ValueView } from "../output/value-views.js";
import { MapBatches, type EntryLayout } from "./map-batch.js";

let cpus: number | undefined;

/** The CPUs the kernel may ever bring up: how many values a per-CPU map keeps per entry. */
function possibleCpus(): number {
  cpus ??= libbpf().numPossibleCpus();
  if (cpus < 1) throw new TsbpfError(`cannot count this machine's CPUs (${errnoText(-cpus)})`, { subject: "/sys/devices/system/cpu/possible" });
  return cpus;
}

export class BpfMap implements EntryLayout {
  readonly keySize: number;
  readonly valueSize: number;
  readonly stride: number;
  readonly copies: number;
  private readonly keyCodec: Codec;
  private readonly valueCodec: Codec;
  private readonly keyView: ValueView;
  private readonly decodeKey: Codec["decode"];
  private readonly valueView: ValueView;
  /** Whether to try bpf_map_lookup_batch: false once the kernel has refused it for this map. */
  private batch: boolean;
  private batches: MapBatches | undefined;

  /** `handle` gives libbpf's handle for each access: it refuses once the probe is closed. `batch`: false reads one entry at a time. */
  constructor(
    readonly info: MapInfo,
    private readonly handle: () => bigint,
    private readonly perCpu = false,
    batch = true,
  ) {
    this.keyCodec = codecOf(info.key);
    this.valueCodec = codecOf(info.value);
    this.keyView = viewOf(info.key);
    this.decodeKey = this.keyCodec.decode.bind(this.keyCodec);
    this.valueView = viewOf(info.value);
    this.keySize = this.keyCodec.size;
    this.valueSize = this.valueCodec.size;
    this.stride = perCpu ? alignUp(this.valueSize, 8) : this.valueSize;
    this.copies = perCpu ? possibleCpus() : 1;
    this.batch = batch;
  }

  /** The value at `key`; undefined when the kernel has none (ENOENT). */
  lookup(key: unknown): CValue | undefined {
    const bytes = this.lookupBytes(this.key(key));
    return bytes && this.value(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  }

  /** A per-CPU map's values at `key`, one per possible CPU; undefined when there are none. */
  lookupPerCpu(key: unknown): CValue[] | undefined {
    const bytes = this.lookupBytes(this.key(key));
    return bytes && this.perCpuValues(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0);
  }

  private lookupBytes(key: Buffer): Buffer | undefined {
    const size = this.stride * this.copies;
    const value = Buffer.alloc(size);
    const err = libbpf().mapLookupElem(this.handle(), key, this.keySize, value, size, 0n);
    if (err === -Errno.ENOENT) return undefined;
    if (err < 0) throw this.failure("read", err);
    return value;
  }

  /** Sets the value at `key` (every CPU's, for a per-CPU map). */
  update(key: unknown, value: unknown, flags = 0n): void {
    const size = this.stride * this.copies;
    const bytes = Buffer.alloc(size);
    const one = encodeValue(this.info.value, this.valueView.accept ? this.valueView.accept(value) : value, `the value for map '${this.info.name}'`);
    for (let cpu = 0; cpu < this.copies; cpu++) bytes.set(one, cpu * this.stride);
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

  /** Removes every entry, by its key's bytes as the kernel gave them (a shown key need not name one key: two kernel symbols may share a name). */
  deleteAll(): void {
    for (const key of this.walkKeys()) {
      const err = libbpf().mapDeleteElem(this.handle(), key, this.keySize, 0n);
      if (err < 0 && err !== -Errno.ENOENT) throw this.failure("write", err);
    }
  }

  /** Every key, in the kernel's order. */
  keys(): CValue[] {
    return this.entries().map(([key]) => key);
  }

  /**
   * Every entry, in the kernel's order: [key, value], a per-CPU map's value an array of one per
   * possible CPU. In batches where the kernel can; otherwise key after key (an entry deleted
   * meanwhile may end that walk early, as with bpftool).
   */
  entries(): [CValue, CValue][] {
    if (this.batch) {
      this.batches ??= new MapBatches(this, this.info.maxEntries);
      const all = this.batches.read(libbpf().mapFd(this.handle()), (keys, values, n, into) => this.decodeEntries(keys, values, n, into));
      if (all.supported) return all.entries;
      if (all.error !== undefined) throw this.failure("read", all.error);
      this.batch = false;
    }
    return this.entriesOneByOne();
  }

  /** Whether entries() reads in batches (until the kernel refuses one for this map). */
  get batched(): boolean {
    return this.batch;
  }

  private entriesOneByOne(): [CValue, CValue][] {
    const keys = this.walkKeys();
    const all: [CValue, CValue][] = [];
    for (const key of keys) {
      const bytes = this.lookupBytes(key);
      if (bytes) this.decodeEntries(key, bytes, 1, all);
    }
    return all;
  }

  /** Each key's bytes, by bpf_map_get_next_key. */
  private walkKeys(): Buffer[] {
    const keys: Buffer[] = [];
    let previous: Buffer | null = null;
    for (;;) {
      const next = Buffer.alloc(this.keySize);
      const err = libbpf().mapNextKey(this.handle(), previous, next, this.keySize);
      if (err === -Errno.ENOENT) return keys;
      if (err < 0) throw this.failure("read", err);
      keys.push(next);
      previous = next;
    }
  }

  /** Appends the `n` entries whose keys and values lie one after another in `keys` and `values`. */
  private decodeEntries(keys: Buffer, values: Buffer, n: number, into: [CValue, CValue][]): void {
    const kv = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
    const vv = new DataView(values.buffer, values.byteOffset, values.byteLength);
    const { keySize } = this;
    const valueBytes = this.stride * this.copies;
    // The decoders as plain functions, each called at one site in the loop below.
    const decodeKey = this.decodeKey;
    const showKey = this.keyView.show;
    if (this.perCpu) {
      for (let i = 0; i < n; i++) {
        const raw = decodeKey(kv, i * keySize);
        into.push([showKey ? showKey(raw) : raw, this.perCpuValues(vv, i * valueBytes)]);
      }
      return;
    }
    // Readers bound to this batch's memory (a struct's 64-bit fields through typed arrays, its
    // strings through one Buffer): made once per batch, cheaper per entry than decode (D127).
    const readKey = this.keyCodec.readerOf(kv);
    const readValue = this.valueCodec.readerOf(vv);
    const showValue = this.valueView.show;
    for (let i = 0; i < n; i++) {
      const key = readKey(i * keySize);
      const value = readValue(i * valueBytes);
      into.push([showKey ? showKey(key) : key, showValue ? showValue(value) : value]);
    }
  }

  private value(view: DataView, offset: number): CValue {
    const raw = this.valueCodec.decode(view, offset);
    return this.valueView.show ? this.valueView.show(raw) : raw;
  }

  private perCpuValues(view: DataView, offset: number): CValue[] {
    const out = new Array<CValue>(this.copies);
    for (let cpu = 0; cpu < this.copies; cpu++) out[cpu] = this.value(view, offset + cpu * this.stride);
    return out;
  }

  private key(key: unknown): Buffer {
    const bytes = encodeValue(this.info.key, this.keyView.accept ? this.keyView.accept(key) : key, `the key for map '${this.info.name}'`);
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
