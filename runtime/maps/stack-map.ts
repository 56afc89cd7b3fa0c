// A probe's stacks as kstack()/ustack() record them (compiler/lower/stack-traces.ts, D193): a
// hash from each distinct stack's frames (STACK_DEPTH addresses, the unused ones 0) to its id,
// and each CPU's count of the ids it gave. User space wants the other way round, so the whole
// hash is read and inverted, and read again when it is asked for an id it lacks that was given
// (the id's CPU had counted past it): ids are never reused or removed.

import type { CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { STACK_DEPTH, STACK_ENTRIES, STACK_ID_COUNT_BITS, STACK_ID_CPU_MASK, type MapInfo, type StackTableMaps } from "../../contract/manifest.js";
import { BpfMap } from "./bpf-map.js";

const FRAMES: CType = { kind: "array", elem: { kind: "int", bits: 64, signed: false }, length: STACK_DEPTH };
const ID: CType = { kind: "int", bits: 32, signed: false };

const info = (name: string, key: CType, maxEntries: number): MapInfo => ({ name, kind: "stacks", key, value: ID, maxEntries, exported: false, keyless: false, line: 1, column: 1 });

export class StackTable {
  private readonly stacks: BpfMap;
  private readonly counter: BpfMap;
  private readonly byId = new Map<number, bigint[]>();

  /** `handle`: libbpf's handle of the probe's map by name. */
  constructor(names: StackTableMaps, handle: (name: string) => bigint) {
    this.stacks = new BpfMap(info(names.stacks, FRAMES, STACK_ENTRIES), () => handle(names.stacks));
    this.counter = new BpfMap(info(names.nextId, ID, 1), () => handle(names.nextId), true);
  }

  /** The addresses of stack `id`, innermost first; undefined if the probe recorded none with that id. */
  frames(id: bigint): bigint[] | undefined {
    const key = Number(id & 0xffffffffn);
    const known = this.byId.get(key);
    if (known || !this.given(key)) return known;
    for (const [frames, stackId] of this.stacks.entries()) {
      if (this.byId.has(Number(stackId))) continue;
      const stack = frames as CValue[] as bigint[];
      const used = stack.indexOf(0n);
      this.byId.set(Number(stackId), used < 0 ? stack : stack.slice(0, used));
    }
    return this.byId.get(key);
  }

  /** Whether the probe gave id `key`: its CPU has counted past it (an id never given would otherwise cost a reading of the whole hash each time it is shown). */
  private given(key: number): boolean {
    const cpu = (key >>> STACK_ID_COUNT_BITS) & STACK_ID_CPU_MASK;
    const count = key & ((1 << STACK_ID_COUNT_BITS) - 1);
    const counts = (this.counter.lookupPerCpu(0) ?? []) as bigint[];
    return counts.some((n, i) => (i & STACK_ID_CPU_MASK) === cpu && BigInt(n) > BigInt(count));
  }
}
