// RingBuf<E>(bytes): events to user space through the kernel's ring buffer (5.8+), one buffer
// for every CPU, read in order by runtime/maps/ring-buf.ts. `emit(e)` reserves a record, writes
// the event straight into it and submits it; a full buffer drops the event and counts it in a
// per-CPU counter beside the map (`<name>.drops`), which user space reports as `lost`.

import { sizeOf } from "../../contract/c-layout.js";
import { constInt, nullPointer } from "../ir/ir-module.js";
import { i1, i32, i64, i8, ptrTo, voidType } from "../ir/ir-types.js";
import { initInto, STORAGE_ALIGN } from "../lower/aggregate-storage.js";
import { irTypeOf } from "../lower/arith.js";
import { Helper } from "../lower/helper-ids.js";
import { BOOL, INT_TYPES, isAggregate } from "../frontend/probe-types.js";
import { MapType } from "./btf-map.js";
import { atomicAdd, valueTypeOf } from "./map-access.js";
import type { MapKind } from "./map-kind.js";

/** The kernel's page size on every architecture tsbpf targets; a ring buffer is a whole number of pages. */
const PAGE_SIZE = 4096n;

/** The name in the object of the counter of `ringBuf`'s dropped events ('.' cannot be in a probe's names). */
export const dropsMapName = (ringBuf: string): string => `${ringBuf}.drops`;

/** A ring buffer's size must be a power of two and a multiple of the page size (kernel/bpf/ringbuf.c). */
function checkSize(bytes: bigint): { message: string; hint: string } | undefined {
  if (bytes >= PAGE_SIZE && (bytes & (bytes - 1n)) === 0n) return undefined;
  let below = PAGE_SIZE;
  while (below * 2n <= bytes) below *= 2n;
  const nearest = bytes < PAGE_SIZE ? `${PAGE_SIZE}` : `${below} or ${below * 2n}`;
  return {
    message: `a RingBuf's size must be a power of two of at least ${PAGE_SIZE} bytes (a whole number of pages), not ${bytes}`,
    hint: `the nearest sizes are ${nearest}; e.g. new RingBuf<Event>(256 * 1024)`,
  };
}

export const ringBufKind: MapKind = {
  name: "RingBuf",
  mapType: MapType.ringbuf,
  stream: true,
  checkEntries: checkSize,
  types: (p, [event], at) => ({ key: INT_TYPES.u32, value: valueTypeOf(p, event, at, "a RingBuf's events", "new RingBuf<OpenEvent>(256 * 1024)") }),
  methods: {
    emit: (l, map, call) => {
      const arg = call.arguments[0];
      const size = sizeOf(map.value);
      const record = l.b.callHelper(Helper.ringbufReserve, ptrTo(i8), [l.b.cast("bitcast", map.ref, ptrTo(i8)), constInt(i64, size), constInt(i64, 0)]);
      const fill = l.fn.newBlock("emit.fill");
      const full = l.fn.newBlock("emit.full");
      const done = l.fn.newBlock("emit.done");
      l.b.condBr(l.b.icmp("eq", record, nullPointer), full, fill);

      // Zeroed first: fields the event leaves out, and padding, must not carry old records' bytes.
      l.b.positionAt(fill);
      l.b.memset(record, 0, size, STORAGE_ALIGN);
      const ptr = isAggregate(map.value) ? record : l.b.cast("bitcast", record, ptrTo(irTypeOf(map.value)));
      initInto(l, { ptr, type: map.value }, arg);
      l.b.callHelper(Helper.ringbufSubmit, voidType, [record, constInt(i64, 0)]);
      const filled = l.b.block;
      l.b.br(done);

      l.b.positionAt(full);
      atomicAdd(l, map.drops!, { value: constInt(i32, 0), type: INT_TYPES.u32 }, { value: constInt(i64, 1), type: INT_TYPES.u64 }, false);
      const counted = l.b.block;
      l.b.br(done);

      l.b.positionAt(done);
      return { value: l.b.phi(i1, [[{ type: i1, ref: "true" }, filled], [{ type: i1, ref: "false" }, counted]]), type: BOOL };
    },
  },
};
