// System call names by number, for the machine's architecture (x86-64 or arm64: Node's
// `process.arch` names them x64 and arm64), from the generated syscall-table.ts.

import { SYSCALL_NAMES } from "./syscall-table.js";

const numbers = new Map<string, ReadonlyMap<string, number>>();

/** The name of system call `nr` on `arch` (default: this machine's), or undefined if it has none. */
export function syscallName(nr: number | bigint, arch: string = process.arch): string | undefined {
  const names = Object.hasOwn(SYSCALL_NAMES, arch) ? SYSCALL_NAMES[arch] : undefined;
  const n = Number(nr);
  return (Number.isInteger(n) && names?.[n]) || undefined;
}

/** The number of system call `name` on `arch` (default: this machine's), or undefined if it has none. */
export function syscallNumber(name: string, arch: string = process.arch): number | undefined {
  return syscallNumbers(arch).get(name);
}

/** Every system call name on `arch`, with its number. */
export function syscallNumbers(arch: string = process.arch): ReadonlyMap<string, number> {
  let byName = numbers.get(arch);
  if (!byName) {
    const names = Object.hasOwn(SYSCALL_NAMES, arch) ? SYSCALL_NAMES[arch] : [];
    byName = new Map(names.flatMap((name, nr): [string, number][] => (name ? [[name, nr]] : [])));
    numbers.set(arch, byName);
  }
  return byName;
}
