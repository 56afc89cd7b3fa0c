// Rust's v0 symbol names (`_R…`, RFC 2603 and the rustc book's "v0 Symbol Format") read back
// into Rust syntax, as GNU c++filt 2.40 prints them (D178): crates with their disambiguator
// (`mycrate[3c1c0]::foo`), const generic values with their type (`foo::<5: usize>`), a `.llvm.…`
// style suffix dropped. c++filt 2.40 stops at the integer, bool and char constants; the rest of
// the const grammar (str, references, arrays, tuples, structs and enum variants) is read too, in
// the shapes rustc-demangle gives them. Symbols come from binaries anyone can write: every
// bound below keeps a hostile one from looping, blowing the stack or filling memory, and
// whatever is not a valid name is refused (undefined), never half-read.

/** Nesting of paths, types and constants, counted as c++filt counts it (libiberty's 1024), so that both refuse the same recursion bombs. */
const MAX_DEPTH = 1024;
/** Characters of a name: far beyond a real Rust frame, short of what back-references can multiply a symbol into. */
const MAX_NAME_LENGTH = 1 << 16;
/** Characters read, back-references followed included: the work one symbol may cost. */
const MAX_STEPS = 1 << 20;
/** Above this a base-62 number (and a const's value) wraps, as it does in c++filt's 64-bit reader. */
const U64 = (1n << 64n) - 1n;

export type RustV0Reading =
  | { name: string }
  /**
   * "too long": the name grows past the bounds (c++filt may still print it); "bad punycode": an
   * identifier's Punycode ends mid-number or decodes to what is no character (c++filt 2.40 prints
   * nothing, or bytes that are not UTF-8, for it); otherwise, what c++filt refuses too.
   */
  | { refused: RefusedWhy };

type RefusedWhy = "malformed" | "bad punycode" | "too deep" | "too long";

/** `symbol` as Rust spells it, where it is a v0 name; undefined otherwise. */
export function demangleRustV0(symbol: string): string | undefined {
  const reading = readRustV0(symbol);
  return "name" in reading ? reading.name : undefined;
}

/** `symbol` read as a v0 name, or why not. */
export function readRustV0(symbol: string): RustV0Reading {
  if (!symbol.startsWith("_R")) return { refused: "malformed" };
  // A vendor's suffix (`.llvm.1234`, `.cold`, or `$…`) is not part of the name; c++filt drops it.
  const suffix = symbol.slice(2).search(/[.$]/);
  const body = suffix < 0 ? symbol.slice(2) : symbol.slice(2, 2 + suffix);
  // A leading decimal is an encoding version other than v0's (which writes none).
  if (!/^[A-Z][A-Za-z0-9_]*$/.test(body)) return { refused: "malformed" };
  const reader = new V0Reader(body);
  try {
    reader.path(true);
    // The instantiating crate: which crate made this copy of a generic item. Not shown.
    if (reader.pos < body.length) reader.skipped(() => reader.path(false));
    if (reader.pos !== body.length) return { refused: "malformed" };
    return { name: reader.out };
  } catch (e) {
    if (e instanceof Refusal) return { refused: e.why };
    if (e instanceof RangeError) return { refused: "too deep" }; // the engine's own stack, should a caller's be deep already
    throw e;
  }
}

class Refusal {
  constructor(readonly why: RefusedWhy) {}
}
const MALFORMED = new Refusal("malformed");
const BAD_PUNYCODE = new Refusal("bad punycode");
const TOO_DEEP = new Refusal("too deep");
const TOO_LONG = new Refusal("too long");

/** The basic types, by tag. */
const BASIC: Record<string, string> = {
  a: "i8", b: "bool", c: "char", d: "f64", e: "str", f: "f32", h: "u8", i: "isize", j: "usize", l: "i32", m: "u32",
  n: "i128", o: "u128", s: "i16", t: "u16", u: "()", v: "...", x: "i64", y: "u64", z: "!", p: "_",
};
const UNSIGNED = "htmyoj";
const SIGNED = "aslxni";

/** Where a constant stands: a generic argument (braced if it is not a plain value, typed as c++filt types it), an array's length (typed), or inside another constant (neither). */
type ConstPlace = "argument" | "length" | "nested";

interface Identifier {
  ascii: string;
  /** The Punycode deltas (RFC 3492) of an identifier written with `u`: its non-ASCII characters. */
  punycode?: string;
}

class V0Reader {
  pos = 0;
  out = "";
  private depth = 0;
  private steps = 0;
  /** Inside the impl path or the instantiating crate: read, not printed (nor back-references followed). */
  private skipping = false;
  /** Lifetimes bound by the enclosing `for<…>` binders (de Bruijn levels). */
  private bound = 0n;

  constructor(private readonly sym: string) {}

  // Reading.

  private peek(): string {
    return this.pos < this.sym.length ? this.sym[this.pos] : "";
  }

  private next(): string {
    if (this.pos >= this.sym.length) throw MALFORMED;
    if (++this.steps > MAX_STEPS) throw TOO_LONG;
    return this.sym[this.pos++];
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.next();
    return true;
  }

  /** `_` is 0, otherwise the digits (0-9a-zA-Z) plus one; 64-bit. */
  private base62(): bigint {
    if (this.eat("_")) return 0n;
    let x = 0n;
    while (!this.eat("_")) {
      const c = this.next();
      const d = c >= "0" && c <= "9" ? c.charCodeAt(0) - 48 : c >= "a" && c <= "z" ? c.charCodeAt(0) - 87 : c >= "A" && c <= "Z" ? c.charCodeAt(0) - 29 : -1;
      if (d < 0) throw MALFORMED;
      x = (x * 62n + BigInt(d)) & U64;
    }
    return (x + 1n) & U64;
  }

  /** An optional `tag` and base-62 number: 0 without it, one more than the number with it. */
  private optionalBase62(tag: string): bigint {
    return this.eat(tag) ? (this.base62() + 1n) & U64 : 0n;
  }

  private disambiguator(): bigint {
    return this.optionalBase62("s");
  }

  private identifier(): Identifier {
    const punycoded = this.eat("u");
    const first = this.next();
    if (first < "0" || first > "9") throw MALFORMED;
    let length = Number(first);
    if (first !== "0") {
      while (this.peek() >= "0" && this.peek() <= "9") {
        length = length * 10 + Number(this.next());
        if (length > this.sym.length) throw MALFORMED;
      }
    }
    this.eat("_"); // written when the identifier itself starts with a digit or `_`
    if (length > this.sym.length - this.pos) throw MALFORMED;
    this.steps += length;
    if (this.steps > MAX_STEPS) throw TOO_LONG;
    const text = this.sym.slice(this.pos, this.pos + length);
    this.pos += length;
    if (!punycoded) return { ascii: text };
    // Punycode's `-` between the ASCII characters and the deltas is written `_`: the last one.
    const split = text.lastIndexOf("_");
    const punycode = text.slice(split + 1);
    if (!punycode) throw MALFORMED;
    return { ascii: split < 0 ? "" : text.slice(0, split), punycode };
  }

  /** Lowercase hex digits up to `_`. */
  private hexDigits(): string {
    const start = this.pos;
    while (!this.eat("_")) {
      const c = this.next();
      if (!((c >= "0" && c <= "9") || (c >= "a" && c <= "f"))) throw MALFORMED;
    }
    return this.sym.slice(start, this.pos - 1);
  }

  /** Follows a back-reference (a position in the symbol, after `_R`) with `read`, then comes back; not followed where nothing is printed. */
  private backref<T>(read: () => T, unfollowed: T): T {
    const target = this.base62();
    if (this.skipping) return unfollowed;
    if (target >= BigInt(this.sym.length)) throw MALFORMED;
    const back = this.pos;
    this.pos = Number(target);
    const result = read();
    this.pos = back;
    return result;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw TOO_DEEP;
  }

  private leave(): void {
    this.depth--;
  }

  skipped(read: () => void): void {
    const was = this.skipping;
    this.skipping = true;
    read();
    this.skipping = was;
  }

  // Printing.

  private print(s: string): void {
    if (this.skipping) return;
    this.out += s;
    if (this.out.length > MAX_NAME_LENGTH) throw TOO_LONG;
  }

  private printIdentifier(id: Identifier): void {
    if (this.skipping) return;
    this.print(id.punycode === undefined ? id.ascii : decodePunycode(id.ascii, id.punycode));
  }

  /** Lifetime 0 is the erased `'_`; from 1, a de Bruijn index into the binders: `'a` is the outermost. */
  private printLifetime(index: bigint): void {
    if (index === 0n) return this.print("'_");
    const level = (this.bound - index) & U64;
    this.print(level < 26n ? `'${String.fromCharCode(97 + Number(level))}` : `'_${level}`);
  }

  /** `<ns>…E`-style lists: items until `E`, separated; how many there were. */
  private list(item: () => void, separator: string): number {
    let n = 0;
    while (!this.eat("E")) {
      if (n++ > 0) this.print(separator);
      item();
    }
    return n;
  }

  // The grammar.

  /** `inValue`: the path names a value (a function, a static), so its generic arguments read `::<…>`. */
  path(inValue: boolean): void {
    this.enter();
    const tag = this.next();
    switch (tag) {
      case "C": {
        const disambiguator = this.disambiguator();
        this.printIdentifier(this.identifier());
        this.print(`[${disambiguator.toString(16)}]`);
        break;
      }
      case "N": {
        const ns = this.next();
        const special = ns >= "A" && ns <= "Z";
        if (!special && !(ns >= "a" && ns <= "z")) throw MALFORMED;
        this.path(inValue);
        const disambiguator = this.disambiguator();
        const name = this.identifier();
        const named = name.ascii !== "" || name.punycode !== undefined;
        if (special) {
          // Closures, shims and the like: `{closure#0}`, `{shim:vtable#0}`.
          this.print(`::{${ns === "C" ? "closure" : ns === "S" ? "shim" : ns}`);
          if (named) {
            this.print(":");
            this.printIdentifier(name);
          }
          this.print(`#${disambiguator}}`);
        } else if (named) {
          this.print("::");
          this.printIdentifier(name);
        }
        break;
      }
      case "M":
      case "X":
      case "Y":
        // An impl's own path (its parent and which impl of it) tells impls apart; not shown.
        if (tag !== "Y") {
          this.disambiguator();
          this.skipped(() => this.path(inValue));
        }
        this.print("<");
        this.type();
        if (tag !== "M") {
          this.print(" as ");
          this.path(false);
        }
        this.print(">");
        break;
      case "I":
        this.path(inValue);
        this.print(inValue ? "::<" : "<");
        this.list(() => this.genericArg(), ", ");
        this.print(">");
        break;
      case "B":
        this.backref(() => this.path(inValue), undefined);
        break;
      default:
        throw MALFORMED;
    }
    this.leave();
  }

  private genericArg(): void {
    if (this.eat("L")) this.printLifetime(this.base62());
    else if (this.eat("K")) this.constant("argument");
    else this.type();
  }

  /** `for<'a, 'b> ` where a `G` binds lifetimes; the caller restores `bound` when it leaves them. */
  private binder(): void {
    const count = this.optionalBase62("G");
    if (count === 0n) return;
    if (this.skipping) {
      this.bound += count;
      return;
    }
    this.print("for<");
    for (let i = 0n; i < count; i++) {
      if (i > 0n) this.print(", ");
      this.bound++;
      this.printLifetime(1n);
    }
    this.print("> ");
  }

  private type(): void {
    const tag = this.next();
    const basic = BASIC[tag];
    if (basic !== undefined) return this.print(basic);
    this.enter();
    switch (tag) {
      case "R":
      case "Q":
        this.print("&");
        if (this.eat("L")) {
          const lifetime = this.base62();
          if (lifetime !== 0n) {
            this.printLifetime(lifetime);
            this.print(" ");
          }
        }
        if (tag === "Q") this.print("mut ");
        this.type();
        break;
      case "P":
      case "O":
        this.print(tag === "P" ? "*const " : "*mut ");
        this.type();
        break;
      case "A":
      case "S":
        this.print("[");
        this.type();
        if (tag === "A") {
          this.print("; ");
          this.constant("length");
        }
        this.print("]");
        break;
      case "T":
        this.print("(");
        if (this.list(() => this.type(), ", ") === 1) this.print(",");
        this.print(")");
        break;
      case "F":
        this.fnSig();
        break;
      case "D": {
        this.print("dyn ");
        const outside = this.bound;
        this.binder();
        this.list(() => this.dynTrait(), " + ");
        this.bound = outside;
        if (!this.eat("L")) throw MALFORMED;
        const lifetime = this.base62();
        if (lifetime !== 0n) {
          this.print(" + ");
          this.printLifetime(lifetime);
        }
        break;
      }
      case "B":
        this.backref(() => this.type(), undefined);
        break;
      default:
        this.pos--;
        this.path(false);
    }
    this.leave();
  }

  private fnSig(): void {
    const outside = this.bound;
    this.binder();
    if (this.eat("U")) this.print("unsafe ");
    if (this.eat("K")) {
      let abi = "C";
      if (!this.eat("C")) {
        const id = this.identifier();
        if (id.ascii === "" || id.punycode !== undefined) throw MALFORMED;
        // `extern "C-unwind"` is written C_unwind. c++filt 2.40 leaves an `_` that follows one it
        // read as `-` as it is: so do we (no ABI has two dashes in a row).
        abi = id.ascii.replace(/_(_?)/g, "-$1");
      }
      this.print(`extern "${abi}" `);
    }
    this.print("fn(");
    this.list(() => this.type(), ", ");
    this.print(")");
    if (!this.eat("u")) {
      this.print(" -> ");
      this.type();
    }
    this.bound = outside;
  }

  /** A trait of a `dyn`, with its associated types inside its generic arguments: `Iterator<Item = u8>`. */
  private dynTrait(): void {
    let open = this.dynTraitPath();
    while (this.eat("p")) {
      this.print(open ? ", " : "<");
      open = true;
      this.printIdentifier(this.identifier());
      this.print(" = ");
      this.type();
    }
    if (open) this.print(">");
  }

  /** The trait's path, its generic arguments' `<…` left open for the bindings; whether it was. */
  private dynTraitPath(): boolean {
    this.enter();
    let open = false;
    if (this.eat("B")) open = this.backref(() => this.dynTraitPath(), false);
    else if (this.eat("I")) {
      this.path(false);
      this.print("<");
      open = true;
      this.list(() => this.genericArg(), ", ");
    } else this.path(false);
    this.leave();
    return open;
  }

  private constant(place: ConstPlace): void {
    this.enter();
    if (this.eat("B")) {
      this.backref(() => this.constant(place), undefined);
      return this.leave();
    }
    const tag = this.next();
    let typed = true;
    if (tag === "p") {
      this.print("_");
      typed = false;
    } else if (UNSIGNED.includes(tag)) this.print(this.integer());
    else if (SIGNED.includes(tag)) this.print((this.eat("n") ? "-" : "") + this.integer());
    else if (tag === "b") {
      const digits = this.hexDigits();
      if (digits !== "0" && digits !== "1") throw MALFORMED;
      this.print(digits === "1" ? "true" : "false");
    } else if (tag === "c") {
      const digits = this.hexDigits();
      if (digits.length === 0 || digits.length > 8) throw MALFORMED;
      this.print(charLiteral(parseInt(digits, 16)));
    } else {
      typed = false;
      this.composite(tag, place);
    }
    if (typed && place !== "nested") this.print(`: ${BASIC[tag]}`);
    this.leave();
  }

  /** An integer's value: decimal where it fits 64 bits, as c++filt prints it; hex beyond (u128, i128). */
  private integer(): string {
    const digits = this.hexDigits().replace(/^0+(?=.)/, "");
    if (digits === "") throw MALFORMED;
    return digits.length <= 16 ? BigInt(`0x${digits}`).toString() : `0x${digits}`;
  }

  /** The constants c++filt 2.40 does not read (str, references, arrays, tuples, ADTs), braced as generic arguments as rustc-demangle braces them. */
  private composite(tag: string, place: ConstPlace): void {
    if (tag === "R" && this.eat("e")) return this.print(this.strLiteral()); // &str: the literal itself
    const braced = place === "argument";
    if (braced) this.print("{");
    switch (tag) {
      case "e":
        this.print(`*${this.strLiteral()}`);
        break;
      case "R":
      case "Q":
        this.print(tag === "R" ? "&" : "&mut ");
        this.constant("nested");
        break;
      case "A":
        this.print("[");
        this.list(() => this.constant("nested"), ", ");
        this.print("]");
        break;
      case "T":
        this.print("(");
        if (this.list(() => this.constant("nested"), ", ") === 1) this.print(",");
        this.print(")");
        break;
      case "V":
        this.path(true);
        this.variantFields();
        break;
      default:
        throw MALFORMED;
    }
    if (braced) this.print("}");
  }

  /** A struct's or enum variant's fields: none (`U`), a tuple's (`T`), or named (`S`). */
  private variantFields(): void {
    const shape = this.next();
    if (shape === "U") return;
    if (shape === "T") {
      this.print("(");
      this.list(() => this.constant("nested"), ", ");
      this.print(")");
    } else if (shape === "S") {
      this.print(" {");
      const n = this.list(() => {
        this.disambiguator();
        this.print(" ");
        this.printIdentifier(this.identifier());
        this.print(": ");
        this.constant("nested");
      }, ",");
      this.print(n > 0 ? " }" : "}");
    } else throw MALFORMED;
  }

  /** A `str` constant's bytes (hex pairs), which must be UTF-8, as a quoted literal. */
  private strLiteral(): string {
    const digits = this.hexDigits();
    if (digits.length % 2 !== 0) throw MALFORMED;
    const bytes = Buffer.from(digits, "hex");
    let text: string;
    try {
      text = STRICT_UTF8.decode(bytes);
    } catch {
      throw MALFORMED;
    }
    let literal = '"';
    for (const ch of text) literal += escapedInString(ch.codePointAt(0)!);
    return `${literal}"`;
  }
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** A char constant as c++filt 2.40 prints it: `\t` `\r` `\n`, printable ASCII bar space and `~` as is, the rest `\u{…}`. */
function charLiteral(c: number): string {
  const escapes: Record<number, string> = { 9: "\\t", 13: "\\r", 10: "\\n" };
  const shown = escapes[c] ?? (c > 0x20 && c < 0x7e ? String.fromCharCode(c) : `\\u{${c.toString(16)}}`);
  return `'${shown}'`;
}

/** A character of a str constant: printable ASCII as is (`"` and `\` escaped), the rest escaped as chars are. */
function escapedInString(c: number): string {
  if (c === 0x22 || c === 0x5c) return `\\${String.fromCharCode(c)}`;
  if (c >= 0x20 && c <= 0x7e) return String.fromCharCode(c);
  return charLiteral(c).slice(1, -1);
}

/** RFC 3492's decoder (base 36, a-z then 0-9): a bad digit, deltas that end mid-number, an overflow or a code point that is no Unicode scalar value refuses the symbol. */
function decodePunycode(ascii: string, deltas: string): string {
  const BASE = 36;
  const T_MIN = 1;
  const T_MAX = 26;
  const output = [...ascii].map((c) => c.codePointAt(0)!);
  let n = 0x80;
  let i = 0;
  let bias = 72;
  let pos = 0;
  let first = true;
  while (pos < deltas.length) {
    const before = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (pos >= deltas.length) throw BAD_PUNYCODE;
      const c = deltas.charCodeAt(pos++);
      const digit = c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? c - 22 : -1;
      if (digit < 0) throw MALFORMED;
      i += digit * w;
      const t = k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;
      if (digit < t) break;
      w *= BASE - t;
      if (i > Number.MAX_SAFE_INTEGER / 2 || w > Number.MAX_SAFE_INTEGER / BASE) throw BAD_PUNYCODE;
    }
    const length = output.length + 1;
    let delta = first ? Math.floor((i - before) / 700) : Math.floor((i - before) / 2);
    first = false;
    delta += Math.floor(delta / length);
    let k = 0;
    while (delta > ((BASE - T_MIN) * T_MAX) >> 1) {
      delta = Math.floor(delta / (BASE - T_MIN));
      k += BASE;
    }
    bias = k + Math.floor(((BASE - T_MIN + 1) * delta) / (delta + 38));
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw BAD_PUNYCODE;
    output.splice(i, 0, n);
    i++;
  }
  return output.map((c) => String.fromCodePoint(c)).join("");
}
