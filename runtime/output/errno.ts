// Errno names (the kernel's, the same on x86-64 and arm64), from the generated errno-table.ts,
// and a result that may be a negative errno written as bcc's and strace's readers expect it.

import { ERRNO_NAMES } from "./errno-table.js";

let numbers: ReadonlyMap<string, number> | undefined;

/** The name of errno `n` (positive: 2 is ENOENT), or undefined if the kernel has none. */
export function errnoName(n: number | bigint): string | undefined {
  const i = Number(n);
  return (Number.isInteger(i) && ERRNO_NAMES[i]) || undefined;
}

/** The number of errno `name` (ENOENT is 2), or undefined. */
export function errnoNumber(name: string): number | undefined {
  numbers ??= new Map(ERRNO_NAMES.flatMap((n, i): [string, number][] => (n ? [[n, i]] : [])));
  return numbers.get(name);
}

/** A result that is -errno on failure: `-2 (ENOENT)`; anything else as it is (`3`). */
export function formatResult(value: number | bigint): string {
  const name = value < 0 ? errnoName(-Number(value)) : undefined;
  return name ? `${value} (${name})` : String(value);
}
