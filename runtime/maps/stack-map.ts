// A stack trace map (BPF_MAP_TYPE_STACK_TRACE): each stack's addresses by its id, as
// bpf_get_stackid stored them (STACK_DEPTH slots, the unused ones 0).

import { STACK_DEPTH as DEPTH } from "../../contract/manifest.js";
import { libbpf } from "../../native/libbpf.js";

/** The addresses of stack `id` in the map `handle`, innermost first; undefined if it has none. */
export function readStack(handle: bigint, id: bigint): bigint[] | undefined {
  const key = Buffer.alloc(4);
  key.writeUInt32LE(Number(id & 0xffffffffn));
  const value = Buffer.alloc(DEPTH * 8);
  if (libbpf().mapLookupElem(handle, key, 4, value, value.length, 0n) !== 0) return undefined;
  const frames: bigint[] = [];
  for (let i = 0; i < DEPTH; i++) {
    const address = value.readBigUInt64LE(i * 8);
    if (address === 0n) break;
    frames.push(address);
  }
  return frames;
}
