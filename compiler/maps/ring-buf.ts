// RingBuf<E>(bytes): events to user space through the kernel's ring buffer (5.8+), one buffer
// for every CPU, read in order by runtime/maps/ring-buf.ts. `emit(e)` reserves a record, writes
// the event straight into it and submits it; a full buffer drops the event and counts it in a
// per-CPU counter beside the map (`<name>.drops`), which user space reports as `lost`.

import { sizeOf } from "../../contract/c-layout.js";
import { constInt, nullPointer, type Value } from "../ir/ir-module.js";
import { i1, i32, i64, i8, ptrTo, voidType } from "../ir/ir-types.js";
import { initInto, STORAGE_ALIGN } from "../lower/aggregate-storage.js";
import { irTypeOf } from "../lower/arith.js";
import { Helper } from "../../contract/helper-ids.js";
import { BOOL, INT_TYPES, isAggregate } from "../frontend/probe-types.js";
import { MapType } from "./btf-map.js";
import { atomicAdd, valueTypeOf } from "./map-access.js";
import type { MapKind, MapRef } from "./map-kind.js";
import type { ExpressionLowerer } from "../lower/expressions.js";

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

/**
 * Reserves `size` bytes in `ring`, zeroes them (fields left out, and padding, must not carry old
 * records' bytes), has `fill` write the record and submits it; where the buffer is full, counts
 * the drop instead. Whether it was sent (an i1).
 */
export function sendRecord(l: ExpressionLowerer, ring: MapRef, size: number, fill: (record: Value) => void): Value {
  const b = l.b;
  const record = b.callHelper(Helper.ringbufReserve, ptrTo(i8), [b.cast("bitcast", ring.ref, ptrTo(i8)), constInt(i64, size), constInt(i64, 0)]);
  const filling = l.fn.newBlock("send.fill");
  const full = l.fn.newBlock("send.full");
  const done = l.fn.newBlock("send.done");
  b.condBr(b.icmp("eq", record, nullPointer), full, filling);

  b.positionAt(filling);
  b.memset(record, 0, size, STORAGE_ALIGN);
  fill(record);
  b.callHelper(Helper.ringbufSubmit, voidType, [record, constInt(i64, 0)]);
  const sent = b.block;
  b.br(done);

  b.positionAt(full);
  atomicAdd(l, ring.drops!, { value: constInt(i32, 0), type: INT_TYPES.u32 }, { value: constInt(i64, 1), type: INT_TYPES.u64 }, false);
  const dropped = b.block;
  b.br(done);

  b.positionAt(done);
  return b.phi(i1, [
    [{ type: i1, ref: "true" }, sent],
    [{ type: i1, ref: "false" }, dropped],
  ]);
}

export const ringBufKind: MapKind = {
  name: "RingBuf",
  mapType: MapType.ringbuf,
  stream: { countsDrops: true },
  checkEntries: checkSize,
  types: (p, [event], at) => ({ key: INT_TYPES.u32, value: valueTypeOf(p, event, at, "a RingBuf's events", "new RingBuf<OpenEvent>(256 * 1024)") }),
  methods: {
    // The event is written straight into the record: an object literal costs no stack.
    emit: (l, map, call) => {
      const sent = sendRecord(l, map, sizeOf(map.value), (record) => {
        const ptr = isAggregate(map.value) ? record : l.b.cast("bitcast", record, ptrTo(irTypeOf(map.value)));
        initInto(l, { ptr, type: map.value }, call.arguments[0]);
      });
      return { value: sent, type: BOOL };
    },
  },
};
