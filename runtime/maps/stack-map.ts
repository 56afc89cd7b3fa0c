// A probe's stacks as kstack()/ustack() record them (compiler/lower/stack-traces.ts, D193): a
// hash from each distinct stack's frames (STACK_DEPTH addresses, the unused ones 0) to its id,
// and the next id to give. User space wants the other way round, so the whole hash is read and
// inverted, and read again when an id is asked for that was given since the last reading (ids
// are never reused or removed).

import type { CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { STACK_DEPTH, STACK_ENTRIES, type MapInfo, type StackTableMaps } from "../../contract/manifest.js";
import { BpfMap } from "./bpf-map.js";

const FRAMES: CType = { kind: "array", elem: { kind: "int", bits: 64, signed: false }, length: STACK_DEPTH };
const ID: CType = { kind: "int", bits: 32, signed: false };

const info = (name: string, key: CType, maxEntries: number): MapInfo => ({ name, kind: "stacks", key, value: ID, maxEntries, exported: false, keyless: false, line: 1, column: 1 });

export class StackTable {
  private readonly stacks: BpfMap;
  private readonly counter: BpfMap;
  private readonly byId = new Map<number, bigint[]>();
  /** The next id as it was when the hash was last read: every id below it was there then. */
  private nextAtRead = 0;

  /** `handle`: libbpf's handle of the probe's map by name. */
  constructor(names: StackTableMaps, handle: (name: string) => bigint) {
    this.stacks = new BpfMap(info(names.stacks, FRAMES, STACK_ENTRIES), () => handle(names.stacks));
    this.counter = new BpfMap(info(names.nextId, ID, 1), () => handle(names.nextId));
  }

  /** The addresses of stack `id`, innermost first; undefined if the probe recorded none with that id. */
  frames(id: bigint): bigint[] | undefined {
    const key = Number(id & 0xffffffffn);
    const known = this.byId.get(key);
    if (known) return known;
    // Read again only when ids were given since: an id never given (or given to a stack the hash
    // then refused) would otherwise cost a whole reading each time it is shown.
    const next = Number(this.counter.lookup(0) ?? 0);
    if (key >= next || next === this.nextAtRead) return undefined;
    this.nextAtRead = next;
    for (const [frames, stackId] of this.stacks.entries()) {
      if (this.byId.has(Number(stackId))) continue;
      const stack = frames as CValue[] as bigint[];
      const used = stack.indexOf(0n);
      this.byId.set(Number(stackId), used < 0 ? stack : stack.slice(0, used));
    }
    return this.byId.get(key);
  }
}
