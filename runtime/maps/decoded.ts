// The user-space view of a probe's types: what contract/c-values.ts decodes a value of a probe
// type into (`Decoded<T>`), and what it accepts when writing one (`Encodable<T>`). The codec's
// rule, in types: an integer of up to 32 bits is a number, a 64-bit one a bigint (a plain
// `number` is an i64 to the compiler), an address a bigint, a bool a boolean, a `Str<N>` a string,
// a `FixedArray<T, N>` an array, a struct a plain object, a `const enum` its member's name.
// The two files change together (test/unit/typed-maps.test.ts holds them to each other).

import type { FixedArray, FormatOf, i32, Ptr, u32, UserPtr } from "tsbpf";

/**
 * The enum objects of a probe module (`typeof State` for `export const enum State`), from which
 * an enum-typed value's member names are known: TypeScript gives a type no names otherwise.
 */
export type EnumsOf<M> = { [K in keyof M]: IsEnum<M[K]> extends true ? M[K] : never }[keyof M];

/** An object of numbers only: an enum (`Record<string, number>` takes only object literals' types). */
export type IsEnum<D> = D extends object ? (D extends Readonly<Record<keyof D, number>> ? true : false) : false;

/** The integer brands of stdlib/integers.d.ts carry a symbol key that `number` has not. */
type Branded<T> = [Exclude<keyof T, keyof number>] extends [never] ? false : true;
/** `number` itself, or a number literal or enum member (which TypeScript does not tell apart). */
type Wide<T> = `${number}` extends `${T & number}` ? true : false;

/** The names of `Enums`' members whose type is the enum member `L`. */
type MemberNames<L, Enums> = Enums extends unknown ? { [N in keyof Enums]: [Enums[N]] extends [L] ? ([L] extends [Enums[N]] ? N : never) : never }[keyof Enums] & string : never;
/**
 * An enum-typed value: a member's name (a union of them when the probe exports the enum, any
 * string otherwise), or the number a value no member has (a C enum holds any integer).
 */
type EnumValue<L, Enums> = ([MemberNames<L, Enums>] extends [never] ? string : MemberNames<L, Enums>) | number;

/** Formats the runtime shows as strings (`openat`, `10.0.0.1`, `vfs_read+0x12`, a kstack's lines); an Errno stays a number. */
type ShownAsText = "syscall" | "ipv4" | "ipv6" | "ksym" | "kstack" | "ustack";

/** An integer type's decoded form: u8 … u32 and i8 … i32 are numbers, u64, i64 and `number` bigints. */
type DecodedInteger<T> = Branded<T> extends true ? (T extends u32 | i32 ? number : bigint) : Wide<T> extends true ? bigint : never;

/**
 * What the runtime reads for a value of probe type `T`: `Decoded<OpenEvent>` is
 * `{ pid: number; comm: string; ts: bigint; … }`. `Enums` names the enums whose member names a
 * `const enum` field decodes to (`EnumsOf<typeof probe>`; without it, `string`).
 */
export type Decoded<T, Enums = never> = [FormatOf<T>] extends [never]
  ? DecodedPlain<T, Enums>
  : FormatOf<T> extends ShownAsText
    ? string
    : DecodedPlain<T, Enums>;

type DecodedPlain<T, Enums> = T extends string
  ? string
  : T extends boolean
    ? boolean
    : T extends number
      ? Branded<T> extends true
        ? DecodedInteger<T>
        : Wide<T> extends true
          ? bigint
          : EnumValue<T, Enums>
      : T extends Ptr<unknown> | UserPtr<unknown>
        ? bigint
        : T extends FixedArray<infer E, number>
          ? number extends keyof T
            ? Decoded<E, Enums>[]
            : DecodedStruct<T, Enums>
          : T extends object
            ? DecodedStruct<T, Enums>
            : never;

type DecodedStruct<T, Enums> = { -readonly [F in keyof T]: Decoded<T[F], Enums> };

/**
 * What the runtime accepts for a value of probe type `T` (a map's key or value): as `Decoded`,
 * with a 64-bit integer or an address given as a bigint or a number that holds it exactly, an
 * enum as a member's name or its number, and arrays read-only.
 */
export type Encodable<T, Enums = never> = T extends string
  ? string
  : T extends boolean
    ? boolean
    : T extends number
      ? Branded<T> extends true
        ? DecodedInteger<T> | number
        : Wide<T> extends true
          ? bigint | number
          : EnumValue<T, Enums>
      : T extends Ptr<unknown> | UserPtr<unknown>
        ? bigint | number
        : T extends FixedArray<infer E, number>
          ? number extends keyof T
            ? readonly Encodable<E, Enums>[]
            : EncodableStruct<T, Enums>
          : T extends object
            ? EncodableStruct<T, Enums>
            : never;

type EncodableStruct<T, Enums> = { readonly [F in keyof T]: Encodable<T[F], Enums> };

/** Whether values of `T` are integers (what a per-CPU map's `sum` adds up). */
export type IsInteger<T> = [T] extends [number] ? (Branded<T> extends true ? true : Wide<T>) : false;
