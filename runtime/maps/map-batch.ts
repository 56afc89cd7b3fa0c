// A whole map in a few system calls: bpf_map_lookup_batch copies many keys and values at once
// (Linux 5.6 for hashes, 5.9 for arrays), where a walk costs two calls an entry. The buffers
// hold up to BATCH_BYTES; the kernel refuses (ENOSPC, nothing copied) when one hash bucket has
// more entries than the room asked for: the room is doubled and the same batch asked again.

import type { CValue } from "../../contract/c-values.js";
import { Errno, libbpf } from "../../native/libbpf.js";
import type { EntryLayout } from "./bpf-map.js";

/** Past this, a batch is copied out before the next: 10,000 u32 → u64 entries fit in one. */
const BATCH_BYTES = 1 << 20;

/** The kernel's own "operation not supported" (include/linux/errno.h), which BPF_MAP_*_BATCH gives for a map without it. */
const ENOTSUPP = 524;

export type BatchResult = { supported: true; entries: [CValue, CValue][] } | { supported: false; error?: number };

/**
 * Every entry of the map `fd`, each batch handed to `decode` (keys and values one after another,
 * `n` of them); unsupported when the kernel has no batch lookup for this map (EINVAL, ENOTSUPP,
 * EOPNOTSUPP at the first call), or an error number for any other failure.
 */
export function lookupBatch(
  fd: number,
  layout: EntryLayout & { info: { maxEntries: number } },
  decode: (keys: Buffer, values: Buffer, n: number, into: [CValue, CValue][]) => void,
): BatchResult {
  const valueBytes = layout.stride * layout.copies;
  let room = Math.max(1, Math.min(layout.info.maxEntries, Math.floor(BATCH_BYTES / (layout.keySize + valueBytes))));
  let keys: Buffer = Buffer.allocUnsafe(room * layout.keySize);
  let values: Buffer = Buffer.allocUnsafe(room * valueBytes);
  // The position between calls: a bucket number for a hash, the last key for an array.
  const tokenSize = Math.max(layout.keySize, 8);
  let from: Buffer | null = null;
  let to: Buffer = Buffer.alloc(tokenSize);
  const count = new Uint32Array(1);
  const entries: [CValue, CValue][] = [];
  for (;;) {
    count[0] = room;
    const err = libbpf().mapLookupBatch(fd, from, to, keys, values, count, null);
    if (err < 0 && err !== -Errno.ENOENT) {
      if (err === -Errno.ENOSPC && count[0] === 0) {
        room *= 2;
        keys = Buffer.allocUnsafe(room * layout.keySize);
        values = Buffer.allocUnsafe(room * valueBytes);
        continue;
      }
      if (from === null && (err === -Errno.EINVAL || err === -ENOTSUPP || err === -Errno.EOPNOTSUPP)) return { supported: false };
      return { supported: false, error: err };
    }
    decode(keys, values, count[0], entries);
    if (err === -Errno.ENOENT) return { supported: true, entries };
    [from, to] = [to, from ?? Buffer.alloc(tokenSize)];
  }
}
