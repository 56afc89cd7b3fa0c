// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

// ── Integers ─────────────────────────────────────────────────────────────────────────────────
// A plain `type u32 = number` is erased by the checker. A branded alias keeps its name, and
// listing in each brand the widths that fit inside it makes widening implicit (u32 → u64) while
// narrowing (u64 → u32) is a type error that asks for a cast: `u32(x)`. See docs/decisions.md.
declare const WIDTH: unique symbol;
type Fits<W extends string> = { readonly [WIDTH]?: W };

export type u8 = number & Fits<"u8" | "bool">;
export type u16 = number & Fits<"u8" | "u16" | "bool">;
export type u32 = number & Fits<"u8" | "u16" | "u32" | "bool">;
export type u64 = number & Fits<"u8" | "u16" | "u32" | "u64" | "bool">;
export type i8 = number & Fits<"i8" | "bool">;
export type i16 = number & Fits<"u8" | "i8" | "i16" | "bool">;
export type i32 = number & Fits<"u8" | "u16" | "i8" | "i16" | "i32" | "bool">;
export type i64 = number & Fits<"u8" | "u16" | "u32" | "i8" | "i16" | "i32" | "i64" | "bool">;

/** Explicit conversions: truncate or extend to the named width, as a C cast does. */
export declare function u8(x: number): u8;
export declare function u16(x: number): u16;
export declare function u32(x: number): u32;
export declare function u64(x: number): u64;
export declare function i8(x: number): i8;
export declare function i16(x: number): i16;
export declare function i32(x: number): i32;
export declare function i64(x: number): i64;
