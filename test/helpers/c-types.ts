// Short names for the contract's C types, for tests that build them by hand.
import type { CArray, CInt, CStr, CStruct, CType } from "../../contract/c-layout.js";

const int = (bits: CInt["bits"], signed: boolean): CInt => ({ kind: "int", bits, signed });
export const u8 = int(8, false);
export const i8 = int(8, true);
export const u16 = int(16, false);
export const i16 = int(16, true);
export const u32 = int(32, false);
export const i32 = int(32, true);
export const u64 = int(64, false);
export const i64 = int(64, true);
export const INTS = { u8, i8, u16, i16, u32, i32, u64, i64 };
export const bool: CType = { kind: "bool" };
export const ptr: CType = { kind: "ptr" };
export const str = (length: number): CStr => ({ kind: "str", length });
export const array = (elem: CType, length: number): CArray => ({ kind: "array", elem, length });
/** A struct with `fields` in their insertion order. */
export const struct = (name: string, fields: Record<string, CType>): CStruct => ({
  kind: "struct",
  name,
  fields: Object.entries(fields).map(([field, type]) => ({ name: field, type })),
});
