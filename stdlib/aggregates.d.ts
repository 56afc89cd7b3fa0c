// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

// ── Aggregates ───────────────────────────────────────────────────────────────────────────────
// Structs are written as interfaces (or object type aliases) of these types, laid out as C
// lays them out. Objects are references, as in JavaScript: `const b = a` names the same struct.

declare const LENGTH: unique symbol;
/**
 * N elements of T, contiguous (C's `T name[N]`). Create one with an array literal
 * (`const xs: FixedArray<u32, 4> = [1, 2]`, the rest zero); index it with `xs[i]`: a constant
 * index is checked when compiling; a variable one at run time (out of range reads 0 and
 * writes nothing); iterate with `for (const x of xs)`.
 */
export type FixedArray<T, N extends number> = { [index: number]: T; readonly length: number; readonly [LENGTH]?: N };

declare const STR: unique symbol;
/**
 * A NUL-terminated string in a buffer of N bytes (C's `char name[N]`), as the kernel keeps
 * task names and paths. From `comm()`, or a string literal (truncated to N - 1 bytes);
 * printed with printk's `%s`; decoded to a JavaScript string in user space.
 */
export type Str<N extends number> = string & { readonly [STR]?: N };

declare global {
  // A Str is a `string` to TypeScript, so its method is String's (probe code sees only
  // stdlib/lib.d.ts's String, which has no other).
  interface String {
    /**
     * Whether a `Str`'s value begins with `prefix`, a string literal (compared as UTF-8 bytes in
     * the kernel: `comm().startsWith("kworker")`). A Str also compares with `===` and `!==` to
     * a string literal or to another Str, as C strings (its bytes up to the first NUL).
     */
    startsWith(prefix: string): boolean;
  }
}
