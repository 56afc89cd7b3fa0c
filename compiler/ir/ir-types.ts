// LLVM IR types as data, printed for the LLVM version we talk to: LLVM 14 parses typed
// pointers only, LLVM 17+ opaque pointers only (see docs/decisions.md).

export type IRType =
  | { kind: "void" }
  | { kind: "int"; bits: number }
  | { kind: "ptr"; to: IRType }
  | { kind: "array"; length: number; of: IRType }
  | { kind: "struct"; fields: IRType[] }
  | { kind: "fn"; ret: IRType; params: IRType[]; varargs: boolean }
  /** A struct type known by name (`%name`), whose body the module may give later. */
  | { kind: "named"; name: string };

export const voidType: IRType = { kind: "void" };
export const i1: IRType = { kind: "int", bits: 1 };
export const i8: IRType = { kind: "int", bits: 8 };
export const i16: IRType = { kind: "int", bits: 16 };
export const i32: IRType = { kind: "int", bits: 32 };
export const i64: IRType = { kind: "int", bits: 64 };
export const intType = (bits: number): IRType => ({ kind: "int", bits });
export const ptrTo = (to: IRType): IRType => ({ kind: "ptr", to });
export const arrayOf = (length: number, of: IRType): IRType => ({ kind: "array", length, of });
export const structOf = (fields: IRType[]): IRType => ({ kind: "struct", fields });
export type FnType = Extract<IRType, { kind: "fn" }>;
export const fnType = (ret: IRType, params: IRType[], varargs = false): FnType => ({
  kind: "fn",
  ret,
  params,
  varargs,
});

export interface PointerMode {
  /** true: print `ptr`; false: print `T*` (LLVM 14). */
  readonly opaquePointers: boolean;
}

const printed = [new WeakMap<IRType, string>(), new WeakMap<IRType, string>()];

/** The IR spelling of a type (memoised: lowering prints the same few types many times). */
export function typeText(t: IRType, mode: PointerMode): string {
  const memo = printed[mode.opaquePointers ? 1 : 0];
  let text = memo.get(t);
  if (text === undefined) memo.set(t, (text = spell(t, mode)));
  return text;
}

function spell(t: IRType, mode: PointerMode): string {
  switch (t.kind) {
    case "void":
      return "void";
    case "int":
      return `i${t.bits}`;
    case "ptr":
      return mode.opaquePointers ? "ptr" : `${t.to.kind === "void" ? "i8" : typeText(t.to, mode)}*`;
    case "array":
      return `[${t.length} x ${typeText(t.of, mode)}]`;
    case "struct":
      return `{ ${t.fields.map((f) => typeText(f, mode)).join(", ")} }`;
    case "fn": {
      const params = t.params.map((p) => typeText(p, mode));
      if (t.varargs) params.push("...");
      return `${typeText(t.ret, mode)} (${params.join(", ")})`;
    }
    case "named":
      return `%${t.name}`;
  }
}

/** A type as an overloaded intrinsic's name spells it (`p0s_kernel.files` for LLVM 14's `%kernel.file*`). */
export function mangledType(t: IRType, mode: PointerMode): string {
  switch (t.kind) {
    case "ptr":
      return mode.opaquePointers ? "p0" : `p0${t.to.kind === "void" ? "i8" : mangledType(t.to, mode)}`;
    case "int":
      return `i${t.bits}`;
    case "array":
      return `a${t.length}${mangledType(t.of, mode)}`;
    case "named":
      return `s_${t.name}s`;
    case "struct":
      return `sl_${t.fields.map((f) => mangledType(f, mode)).join("")}s`;
    default:
      throw new Error(`internal compiler error: no intrinsic takes a ${t.kind}`);
  }
}

export function sameType(a: IRType, b: IRType): boolean {
  return typeText(a, TYPED) === typeText(b, TYPED);
}

const TYPED: PointerMode = { opaquePointers: false };
