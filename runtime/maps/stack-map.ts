// A probe's stacks as kstack()/ustack() record them (compiler/lower/stack-traces.ts, D193): a
// hash from each distinct stack's frames (STACK_DEPTH addresses, the unused ones 0) to its id.
// User space wants the other way round, so the whole hash is read and inverted, and read again
// when an id is asked for that came after the last reading. Ids are never reused or removed.

import type { CType } from "../../contract/c-layout.js";
import type { CValue } from "../../contract/c-values.js";
import { STACK_DEPTH, STACK_ENTRIES, type MapInfo } from "../../contract/manifest.js";
import { BpfMap } from "./bpf-map.js";

const FRAMES: CType = { kind: "array", elem: { kind: "int", bits: 64, signed: false }, length: STACK_DEPTH };
const ID: CType = { kind: "int", bits: 32, signed: false };

/** An id missing after a reading is read again only after this long: a print asks for many ids at once. */
const REREAD_AFTER_MS = 20;

export class StackTable {
  private readonly map: BpfMap;
  private readonly byId = new Map<number, bigint[]>();
  private readAt = -Infinity;

  /** `handle`: libbpf's handle of the map named `name`. */
  constructor(name: string, handle: () => bigint) {
    const info: MapInfo = { name, kind: "stacks", key: FRAMES, value: ID, maxEntries: STACK_ENTRIES, exported: false, keyless: false, line: 1, column: 1 };
    this.map = new BpfMap(info, handle);
  }

  /** The addresses of stack `id`, innermost first; undefined if the probe recorded none with that id. */
  frames(id: bigint): bigint[] | undefined {
    const key = Number(id & 0xffffffffn);
    const known = this.byId.get(key);
    if (known || performance.now() - this.readAt < REREAD_AFTER_MS) return known;
    this.read();
    return this.byId.get(key);
  }

  private read(): void {
    for (const [frames, id] of this.map.entries()) {
      const stack = this.byId.has(Number(id)) ? undefined : (frames as CValue[]);
      if (!stack) continue;
      const used = stack.indexOf(0n);
      this.byId.set(Number(id), (used < 0 ? stack : stack.slice(0, used)) as bigint[]);
    }
    this.readAt = performance.now();
  }
}
