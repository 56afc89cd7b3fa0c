// C names as TypeScript names. C keeps struct tags and ordinary names (typedefs, functions,
// enumerators) apart, and uses words TypeScript reserves (`new`, `in`, `default` as parameters,
// a typedef `string`); the generated module has one namespace of types and one of values.
// The rule (D141): a name TypeScript refuses, or one already taken, gets `_` appended until it
// is neither; names are claimed in a fixed order (the imports, struct/union/enum tags by type
// id, typedefs by type id, enumerators), so the same BTF always gives the same names.

/** Reserved words: never an identifier of a declaration, a parameter or a value. */
export const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with " +
    "implements interface let package private protected public static yield await"
  ).split(" "),
);

/** Names TypeScript refuses as the name of an interface, a type alias or an enum. */
export const PREDEFINED_TYPES = new Set("any unknown never number bigint boolean string symbol object undefined intrinsic".split(" "));

/** Whether `name` is letters, digits, `_` and `$`, not starting with a digit (a loop: it runs for every field). */
export function isIdentifier(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

/** A name usable as a declaration's: a C name with anything but letters, digits and `_` made `_`. */
export function identifierOf(name: string): string {
  if (isIdentifier(name)) return name; // nearly every C name: no regular expressions run
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[0-9]/.test(cleaned) || cleaned === "" ? "_" + cleaned : cleaned;
}

/** A property name as written in an interface: the name itself, or quoted (`identifier`: whether it is one, where the caller knows). */
export const propertyName = (name: string, identifier = isIdentifier(name)): string => (identifier ? name : JSON.stringify(name));

/** A name TypeScript accepts for a parameter or a value declaration. */
export const usableValueName = (name: string): boolean => isIdentifier(name) && !RESERVED.has(name);

/** The names of one namespace (types, or values), handed out once each. */
export class NameTable {
  private readonly taken = new Set<string>();

  constructor(
    private readonly refused: (name: string) => boolean,
    initial: Iterable<string> = [],
  ) {
    for (const n of initial) this.taken.add(n);
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }

  /** Every name handed out or taken. */
  all(): Iterable<string> {
    return this.taken;
  }

  /** Marks a name another table handed out (a const enum is a type and a value). */
  take(name: string): void {
    this.taken.add(name);
  }

  /** `wanted` (made an identifier), or it with `_` appended until free; now taken. */
  claim(wanted: string): string {
    let name = identifierOf(wanted);
    while (this.taken.has(name) || this.refused(name)) name += "_";
    this.taken.add(name);
    return name;
  }
}

export const typeNames = (initial: Iterable<string>) => new NameTable((n) => RESERVED.has(n) || PREDEFINED_TYPES.has(n), initial);
export const valueNames = (initial: Iterable<string>) => new NameTable((n) => RESERVED.has(n), initial);
