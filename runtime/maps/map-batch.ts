// A whole map in a few system calls: bpf_map_lookup_batch copies many keys and values at once
// (Linux 5.6 for hashes, 5.9 for arrays), where a walk costs two calls an entry. The buffers
// hold up to BATCH_BYTES and are kept for the next read (the decoded values copy what they
// need); the kernel refuses (ENOSPC, nothing copied) when one hash bucket has more entries than
// the room asked for: the room is doubled and the same batch asked again.

import type { CValue } from "../../contract/c-values.js";
import { Errno, libbpf } from "../../native/libbpf.js";

/** How the kernel lays out one entry's key and value(s) in the buffers it fills. */
export interface EntryLayout {
  readonly keySize: number;
  /** One value's bytes; a per-CPU map's values are each this, rounded up to 8, one per possible CPU. */
  readonly valueSize: number;
  readonly stride: number;
  /** How many values a lookup gives: 1, or the possible CPUs for a per-CPU map. */
  readonly copies: number;
}

/** Past this, a batch is decoded before the next is asked for: 10,000 u32 → u64 entries fit in one. */
const BATCH_BYTES = 1 << 20;

/** The kernel's own "operation not supported" (include/linux/errno.h), which BPF_MAP_*_BATCH gives for a map without it. */
const ENOTSUPP = 524;

export type BatchResult = { supported: true; entries: [CValue, CValue][] } | { supported: false; error?: number };

/** Decodes `n` entries whose keys and values lie one after another in `keys` and `values`, onto `into`. */
export type BatchDecoder = (keys: Buffer, values: Buffer, n: number, into: [CValue, CValue][]) => void;

export class MapBatches {
  private room: number;
  private keys: Buffer;
  private values: Buffer;
  /** The position between calls: a bucket number for a hash, the last key for an array. */
  private readonly tokens: [Buffer, Buffer];
  private readonly count = new Uint32Array(1);

  constructor(
    private readonly layout: EntryLayout,
    maxEntries: number,
  ) {
    this.room = Math.max(1, Math.min(maxEntries, Math.floor(BATCH_BYTES / (layout.keySize + this.valueBytes))));
    this.keys = Buffer.allocUnsafe(this.room * layout.keySize);
    this.values = Buffer.allocUnsafe(this.room * this.valueBytes);
    const tokenSize = Math.max(layout.keySize, 8);
    this.tokens = [Buffer.alloc(tokenSize), Buffer.alloc(tokenSize)];
  }

  private get valueBytes(): number {
    return this.layout.stride * this.layout.copies;
  }

  /**
   * Every entry of the map `fd`; unsupported when the kernel has no batch lookup for this map
   * (EINVAL, ENOTSUPP, EOPNOTSUPP at the first call), or an error number for another failure.
   */
  read(fd: number, decode: BatchDecoder): BatchResult {
    const entries: [CValue, CValue][] = [];
    let from: Buffer | null = null;
    let to = this.tokens[0];
    for (;;) {
      this.count[0] = this.room;
      const err = libbpf().mapLookupBatch(fd, from, to, this.keys, this.values, this.count, null);
      if (err < 0 && err !== -Errno.ENOENT) {
        if (err === -Errno.ENOSPC && this.count[0] === 0) {
          this.grow();
          continue;
        }
        if (from === null && (err === -Errno.EINVAL || err === -ENOTSUPP || err === -Errno.EOPNOTSUPP)) return { supported: false };
        return { supported: false, error: err };
      }
      decode(this.keys, this.values, this.count[0], entries);
      if (err === -Errno.ENOENT) return { supported: true, entries };
      from = to;
      to = to === this.tokens[0] ? this.tokens[1] : this.tokens[0];
    }
  }

  private grow(): void {
    this.room *= 2;
    this.keys = Buffer.allocUnsafe(this.room * this.layout.keySize);
    this.values = Buffer.allocUnsafe(this.room * this.valueBytes);
  }
}
