// Equal strings of a BTF string section told by their bytes: a dense key for each distinct
// string, from its offset, with no JavaScript string made or kept (D135). A name may sit at two
// offsets in a BTF that is not deduplicated, so the offset alone is not the name. A Map keyed by
// 56,000 function names kept 56,000 strings alive through the young generation's collections:
// 75 ms of `tsbpf types`; this is an open-addressing table in typed arrays.

export class StringKeys {
  /** Slot → the offset of the string there, plus one (0: empty). */
  private slots: Int32Array;
  /** Slot → its string's key. */
  private keys: Int32Array;
  /** Distinct strings seen so far: the next key. */
  count = 0;

  constructor(
    /** The string section: NUL-terminated strings, the last byte a NUL (btf-parse.ts checks). */
    private readonly strings: Uint8Array,
    expected = 1024,
  ) {
    let size = 16;
    while (size < 2 * expected) size *= 2;
    this.slots = new Int32Array(size);
    this.keys = new Int32Array(size);
  }

  /** The key of the string at `offset`: 0, 1, 2, … in the order distinct strings are first asked for. */
  key(offset: number): number {
    const mask = this.slots.length - 1;
    for (let slot = this.hash(offset) & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot];
      if (held === 0) {
        this.slots[slot] = offset + 1;
        this.keys[slot] = this.count;
        if (2 * ++this.count > this.slots.length) this.grow();
        return this.count - 1;
      }
      if (held - 1 === offset || this.equal(held - 1, offset)) return this.keys[slot];
    }
  }

  /** FNV-1a of the string's bytes. */
  private hash(offset: number): number {
    const s = this.strings;
    let hash = 0x811c9dc5;
    for (let i = offset; s[i] !== 0; i++) hash = Math.imul(hash ^ s[i], 0x01000193);
    return hash;
  }

  private equal(a: number, b: number): boolean {
    const s = this.strings;
    for (;; a++, b++) {
      if (s[a] !== s[b]) return false;
      if (s[a] === 0) return true;
    }
  }

  private grow(): void {
    const { slots, keys } = this;
    this.slots = new Int32Array(2 * slots.length);
    this.keys = new Int32Array(2 * slots.length);
    const mask = this.slots.length - 1;
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] === 0) continue;
      let slot = this.hash(slots[i] - 1) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = slots[i];
      this.keys[slot] = keys[i];
    }
  }
}
