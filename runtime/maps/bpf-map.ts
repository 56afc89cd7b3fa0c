// bpf_map_lookup_elem / update_elem on a loaded map, with keys and values as bytes of the
// manifest's C types: what every map kind's reader is made of.

import { codecOf, decodeValue, encodeValue, type CValue } from "../../contract/c-values.js";
import { TsbpfError } from "../../contract/errors.js";
import type { MapInfo } from "../../contract/manifest.js";
import { Errno, errnoText, libbpf } from "../../native/libbpf.js";

export class BpfMap {
  private readonly keySize: number;
  private readonly valueSize: number;

  /** `handle` gives libbpf's handle for each access: it refuses once the probe is closed. */
  constructor(
    readonly info: MapInfo,
    private readonly handle: () => bigint,
  ) {
    this.keySize = codecOf(info.key).size;
    this.valueSize = codecOf(info.value).size;
  }

  /** The value at `key`; undefined when the kernel has none (ENOENT). */
  lookup(key: unknown): CValue | undefined {
    const value = Buffer.alloc(this.valueSize);
    const err = libbpf().mapLookupElem(this.handle(), this.key(key), this.keySize, value, this.valueSize, 0n);
    if (err === -Errno.ENOENT) return undefined;
    if (err < 0) throw this.failure("read", err);
    return decodeValue(this.info.value, value);
  }

  update(key: unknown, value: unknown, flags = 0n): void {
    const bytes = encodeValue(this.info.value, value, `the value for map '${this.info.name}'`);
    const err = libbpf().mapUpdateElem(this.handle(), this.key(key), this.keySize, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), this.valueSize, flags);
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
