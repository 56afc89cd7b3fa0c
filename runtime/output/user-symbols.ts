// User addresses to symbols (`spin+0x14`), for ustack(): the process's mappings from
// /proc/<pid>/maps, then the mapped file's ELF function symbols (runtime/attach/elf-symbols.ts),
// each read once. A process that has exited by the time its stacks are shown has no mappings to
// read: its frames say so rather than guess (`0x55d0c0a01139 (process 1234 has exited)`).

import { readFileSync } from "node:fs";
import { elfFunctions, type ElfFunctions } from "../attach/elf-symbols.js";

interface Mapping {
  start: number;
  end: number;
  offset: number;
  path: string;
}

const processes = new Map<number, Mapping[] | undefined>();
const binaries = new Map<string, ElfFunctions | undefined>();

function mappingsOf(pid: number): Mapping[] | undefined {
  if (processes.has(pid)) return processes.get(pid);
  let maps: Mapping[] | undefined;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, "latin1")
      .split("\n")
      .flatMap((line) => {
        const m = /^([0-9a-f]+)-([0-9a-f]+) \S*x\S* ([0-9a-f]+) \S+ \d+\s+(\/.*|\[\w+\])$/.exec(line);
        return m ? [{ start: parseInt(m[1], 16), end: parseInt(m[2], 16), offset: parseInt(m[3], 16), path: m[4] }] : [];
      });
  } catch {
    maps = undefined; // gone
  }
  processes.set(pid, maps);
  return maps;
}

function functionsOf(path: string): ElfFunctions | undefined {
  if (binaries.has(path)) return binaries.get(path);
  let fns: ElfFunctions | undefined;
  try {
    fns = elfFunctions(path);
  } catch {
    fns = undefined; // unreadable, deleted since, or not an ELF file we read
  }
  binaries.set(path, fns);
  return fns;
}

/** `address` in process `pid` as a function and offset, or as hex with what is known. */
export function userSymbol(pid: number, address: bigint): string {
  const hex = `0x${address.toString(16)}`;
  const maps = mappingsOf(pid);
  if (!maps) return `${hex} (process ${pid} has exited)`;
  const a = Number(address);
  const mapping = maps.find((m) => a >= m.start && a < m.end);
  if (!mapping) return hex;
  if (!mapping.path.startsWith("/")) return `${hex} (${mapping.path})`; // [vdso]: no file to read
  const fns = functionsOf(mapping.path);
  const fileOffset = a - mapping.start + mapping.offset;
  const segment = fns?.segments.find((s) => fileOffset >= s.offset && fileOffset < s.offset + s.size);
  if (!fns || !segment) return `${hex} (${mapping.path})`;
  const vaddr = fileOffset - segment.offset + segment.address;
  // The last function starting at or below it, if it holds it.
  let lo = 0;
  let hi = fns.byAddress.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (fns.byAddress[mid].address <= vaddr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const fn = found >= 0 ? fns.byAddress[found] : undefined;
  if (!fn || (fn.size > 0 && vaddr >= fn.address + fn.size)) return `${hex} (${mapping.path})`;
  return vaddr === fn.address ? fn.name : `${fn.name}+0x${(vaddr - fn.address).toString(16)}`;
}
