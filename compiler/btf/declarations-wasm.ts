// The kernel's declarations module made by WebAssembly (D202): wasm/declarations.c, built into
// wasm/declarations.wasm, follows declarations.ts function by function and gives the same bytes
// (a test holds them equal). A vmlinux's 9.5 MB took 200–300 ms of a cold process in
// TypeScript, most of it V8 compiling and collecting; in WebAssembly it is one call. The file is
// read straight into the module's memory and the module written from it: neither is copied. The
// names it must not give (reserved words, tsbpf's imports) come from ts-names.ts and
// type-names.ts, so that both sides hold one list.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { packageRoot } from "../../contract/paths.js";
import type { Btf } from "./btf.js";
import type { DeclarationCounts, KernelDeclarations } from "./declarations.js";
import { PREDEFINED_TYPES, RESERVED } from "./ts-names.js";
import { RESERVED_NAMES } from "./type-names.js";

/** What a 32-bit WebAssembly memory can hold, less room for the module's own data. */
const MAX_MEMORY_BYTES = 3 * 2 ** 30;

export const DECLARATIONS_WASM = join(packageRoot, "compiler", "btf", "wasm", "declarations.wasm");

// Node's WebAssembly, as far as this file uses it (TypeScript declares it with the DOM's types).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: unknown;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class RuntimeError extends Error {}
}

interface Exports {
  memory: WebAssembly.Memory;
  reserve(bytes: number): number;
  room(bytes: number): void;
  declare(words: number, wordCount: number, starts: number, kinds: number, count: number, strings: number, stringLength: number, lists: number, head: number, headLength: number): number;
  module(): number;
  count(which: number): number;
}

/** The names declarations.c must not hand out, as it reads them: three lists of NUL-ended names, each ended by an empty one. */
const nameLists = (): Buffer => Buffer.from([RESERVED_NAMES, [...RESERVED], [...PREDEFINED_TYPES]].map((names) => names.map((n) => n + "\0").join("") + "\0").join(""), "latin1");

/**
 * Flags as Node started: --liftoff-only also turned tiering off, and V8 keys its code cache on
 * every flag (tsbpf's modules' cache, written at exit, would be refused by the next run).
 */
function restoreFlags(): void {
  setFlagsFromString("--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering");
}

/** One use: a BTF read into it (or copied), one module made. */
export class WasmDeclarations {
  private constructor(private readonly wasm: Exports) {}

  /** An instance, or undefined where declarations.wasm cannot be loaded (the TypeScript generator then makes the module). */
  static load(): WasmDeclarations | undefined {
    // Baseline code only (Liftoff's), until done(): the work is one pass through functions that
    // V8's optimising tier would compile on other threads, to be used at their next call, mostly
    // after the work is done: TurboFan's compiles touched 3,000–5,000 more pages and took longer
    // than they saved (D202).
    setFlagsFromString("--liftoff-only");
    try {
      return new WasmDeclarations(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(DECLARATIONS_WASM))).exports as Exports);
    } catch {
      restoreFlags();
      return undefined;
    }
  }

  /** V8's flags as they were: call when done with the instance (declare does). */
  done(): void {
    restoreFlags();
  }

  /**
   * Room for a BTF file of `size` bytes in the module's memory (readBtfBytes' `allocate`), with
   * the memory grown at once for all that the module will need of it for such a file, so that
   * the view stays valid. A vmlinux's took about 6 times its BTF (the file, the module, the
   * generator's tables); twice that is made room for.
   */
  readonly allocate = (size: number): Buffer => {
    const needs = size + 12 * size + (16 << 20);
    if (needs > MAX_MEMORY_BYTES) return Buffer.allocUnsafe(size); // too large for this memory: declare() then gives up
    this.wasm.room(needs);
    return this.view(this.wasm.reserve(size), size);
  };

  /**
   * The module for `btf` (`head`: its header comment and import line), or undefined where the
   * WebAssembly does not make it and the TypeScript generator must: a string section that is
   * not ASCII, a file the generator would refuse (a cycle), anything it does not foresee (it
   * traps). After it, `btf` may no longer be readable if it was read into this memory (allocate).
   */
  declare(btf: Btf, head: string): KernelDeclarations | undefined {
    const wasm = this.wasm;
    if (!btf.isAscii) {
      this.done();
      return undefined;
    }
    try {
      const { words, starts, kinds, strings } = btf.sections;
      const at = {
        words: this.place(words),
        wordCount: words.length,
        starts: this.place(starts),
        kinds: this.place(kinds),
        strings: this.place(strings),
        stringLength: strings.length,
        lists: this.place(nameLists()),
        head: this.place(Buffer.from(head, "utf8")),
        headLength: Buffer.byteLength(head, "utf8"),
      };
      const length = wasm.declare(at.words, at.wordCount, at.starts, at.kinds, btf.count, at.strings, at.stringLength, at.lists, at.head, at.headLength);
      const c = (which: number) => wasm.count(which);
      return { bytes: this.view(wasm.module(), length), counts: { structs: c(0), unions: c(1), enums: c(2), typedefs: c(3), functions: c(4) } satisfies DeclarationCounts };
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) return undefined; // it trapped: the TypeScript generator says why, or makes it
      throw e;
    } finally {
      this.done();
    }
  }

  /** Where `data` is in the module's memory: where it already lies (read there by allocate), else a copy. */
  private place(data: Uint8Array | Uint32Array): number {
    if (data.buffer === this.wasm.memory.buffer) return data.byteOffset;
    const at = this.wasm.reserve(data.byteLength);
    new Uint8Array(this.wasm.memory.buffer, at, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return at;
  }

  private view(at: number, length: number): Buffer {
    return Buffer.from(this.wasm.memory.buffer, at, length);
  }
}
