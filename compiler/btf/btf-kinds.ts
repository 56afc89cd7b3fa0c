// The kinds of a BTF type record (include/uapi/linux/btf.h), and how many 4-byte words each
// record carries after its 12-byte header.

export const enum Kind {
  Void = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
}

/** The last kind this reader knows; a newer kernel's further kinds are refused by name. */
export const LAST_KIND = Kind.Enum64;

export const KIND_NAMES = ["UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"];

/** INT's encoding bits. */
export const INT_SIGNED = 1;
export const INT_CHAR = 2;
export const INT_BOOL = 4;

/** Words after the header: a fixed part, and per vlen item. */
export function trailingWords(kind: Kind, vlen: number): number {
  switch (kind) {
    case Kind.Int:
    case Kind.Var:
    case Kind.DeclTag:
      return 1;
    case Kind.Array:
      return 3;
    case Kind.Struct:
    case Kind.Union:
    case Kind.Datasec:
    case Kind.Enum64:
      return 3 * vlen;
    case Kind.Enum:
    case Kind.FuncProto:
      return 2 * vlen;
    default:
      return 0;
  }
}
