// Names that must not repeat within a scope: a module's globals and functions, a struct's
// members, a function's parameters, the module's struct names (cIdentifier can turn two names
// into one). The suffix is `_N`: BTF names must be C identifiers.

export class UniqueNames {
  private readonly taken = new Set<string>();

  /** `name`, or `name_1`, `name_2`, … if it is taken already. */
  take(name: string): string {
    let unique = name;
    for (let i = 1; this.taken.has(unique); i++) unique = `${name}_${i}`;
    this.taken.add(unique);
    return unique;
  }
}

/** `names`, with a suffix on any that repeats an earlier one (`a`, `a_1`). */
export function uniqueWithin(names: string[]): string[] {
  const unique = new UniqueNames();
  return names.map((n) => unique.take(n));
}
