// Aggregates that would take a program past its stack budget go to a per-CPU scratch buffer
// instead: one PERCPU_ARRAY map of one element per program, looked up once at the program's
// start. A program has its own (a program may interrupt another on the same CPU), so nothing is
// shared, and each may use the whole of a per-CPU value. Module functions have no scratch
// (their callers' buffers are not theirs).

import type * as TS from "typescript";
import { Codes } from "../frontend/codes.js";
import { errorAt, lineColumn } from "../frontend/spans.js";
import type { DebugInfo } from "../ir/debug-info.js";
import { constInt, IRBuilder, nullPointer, type IRFunction, type IRModule, type Value } from "../ir/ir-module.js";
import { arrayOf, i32, i8 } from "../ir/ir-types.js";
import { BtfMap, MapType } from "../maps/btf-map.js";
import { lookupElem } from "../maps/map-calls.js";
import { alignUp } from "../../contract/c-layout.js";

/** The kernel's largest per-CPU map value (PCPU_MIN_UNIT_SIZE): 32 KiB. */
export const SCRATCH_LIMIT = 32 * 1024;

export class ScratchMap {
  private total = 0;
  /** Defined once every region is known: its value size is their sum. */
  private readonly map: BtfMap;

  constructor(
    m: IRModule,
    private readonly debug: DebugInfo,
  ) {
    this.map = new BtfMap(m, debug, m.uniqueName("tsbpf_scratch"));
  }

  /**
   * The program's allocator: each call reserves bytes at a fixed offset of the buffer, whose
   * address (looked up at the program's start) dominates the whole program.
   */
  allocatorFor(fn: IRFunction, scope: string, at: TS.Node): (size: number, align: number, from: TS.Node, what: string) => { base: Value; offset: number } {
    let base: Value | undefined;
    return (size, align, from, what) => {
      const offset = alignUp(this.total, align);
      if (offset + size > SCRATCH_LIMIT)
        throw errorAt(
          from,
          Codes.stackOverflow,
          `${what} (${size} bytes) takes ${fn.decl.name}'s per-CPU scratch buffer to ${offset + size} bytes, over the kernel's limit of ${SCRATCH_LIMIT} for a per-CPU map value`,
          "keep fewer or smaller FixedArray, struct and Str values in one program (they are not freed before it returns)",
        );
      base ??= this.lookup(fn, scope, at);
      this.total = offset + size;
      return { base, offset };
    };
  }

  /** At the program's start: the buffer's address, or return 0 if the map has none (never). */
  private lookup(fn: IRFunction, scope: string, at: TS.Node): Value {
    const b = new IRBuilder(fn);
    b.positionAt(fn.prologue());
    const { line, column } = lineColumn(at);
    b.location = this.debug.location(line, column, scope);
    const key = fn.alloca(i32, 4);
    b.store(constInt(i32, 0), key);
    const value = lookupElem(b, this.map.ref, key);
    const missing = b.icmp("eq", value, nullPointer);
    const fail = fn.newBlock("scratch.missing");
    b.condBr(missing, fail, fn.entry);
    b.positionAt(fail);
    b.ret(constInt(fn.decl.ret, 0));
    return value;
  }

  /** Declares the map, sized for every program's region; nothing when no program needed one. */
  declare(): void {
    if (this.total === 0) return;
    const size = alignUp(this.total, 8);
    const d = this.debug;
    this.map.define({
      type: MapType.percpuArray,
      maxEntries: 1,
      key: { ir: i32, btf: d.basicType("u32", 32, "unsigned") },
      value: { ir: arrayOf(size, i8), btf: d.arrayType(d.basicType("char", 8, "signed_char"), size) },
      line: 1, // the map is the compiler's, not a line of the probe's
    });
  }
}
