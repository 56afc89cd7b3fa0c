// bpf_map_lookup_elem, bpf_map_update_elem and bpf_map_delete_elem as IR, on a map's `.maps` global: what every map
// access is made of (map-access.ts for the probe's maps, the compiler's own maps beside it). The
// helpers take the map, key and value by address, as bytes.

import { constInt, type IRBuilder, type Value } from "../ir/ir-module.js";
import { i64, i8, ptrTo } from "../ir/ir-types.js";
import { Helper } from "../../contract/helper-ids.js";

/** bpf_map_update_elem's flags: add or replace; only add; only replace. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

const bytes = (b: IRBuilder, v: Value): Value => b.cast("bitcast", v, ptrTo(i8));

/** The address of `key`'s value in `map`, or null where it has none. */
export const lookupElem = (b: IRBuilder, map: Value, key: Value): Value => b.callHelper(Helper.mapLookupElem, ptrTo(i8), [bytes(b, map), bytes(b, key)]);

/** Removes the entry at `key`: 0, or the negative error (-ENOENT where there was none). */
export const deleteElem = (b: IRBuilder, map: Value, key: Value): Value => b.callHelper(Helper.mapDeleteElem, i64, [bytes(b, map), bytes(b, key)]);

/** Writes `value` at `key` (`flags`: BPF_ANY, BPF_NOEXIST, BPF_EXIST): 0, or the negative error. */
export const updateElem = (b: IRBuilder, map: Value, key: Value, value: Value, flags: number): Value =>
  b.callHelper(Helper.mapUpdateElem, i64, [bytes(b, map), bytes(b, key), bytes(b, value), constInt(i64, BigInt(flags))]);
