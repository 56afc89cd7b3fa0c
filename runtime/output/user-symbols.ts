// User stacks' frames as names (`spin+20`, `ns::Klass::method(int)+8`: bpftrace's decimal offsets), for ustack(): each
// address found in the mappings its process had when the stack was recorded (process-mappings.ts,
// read while the process lived, D167), then in that binary's ELF function symbols, demangled
// (demangle.ts, D168). What cannot be named is shown as bpftrace and perf show it, the address in
// hex with the module where it is known (`0x7f3a… (/usr/lib/…/libc.so.6)`), else
// `0x55d0… ([unknown])`, and the reason is said once on stderr, never a guess.

import { writeStderr } from "../stderr.js";
import { demangle } from "./demangle.js";
import { generationsOf, holdsAll, liveIdentity, mappingAt, readMappings, type Binary, type Generation } from "./process-mappings.js";

/** The addresses of stack `id` in the probe's user stack map, innermost first; undefined if it has no such stack. */
export type StackFrames = (id: bigint) => bigint[] | undefined;

const STACK_ID = 0xffffffffn;
const pidOf = (stack: bigint): number => Number(stack >> 32n);

/** A probe's user stacks (UserStack values: the process id high, the stack id low), named. */
export class UserStacks {
  /** The generation of its process's mappings each stack was noticed under. */
  private readonly noticed = new Map<bigint, Generation>();

  constructor(private readonly frames: StackFrames) {}

  /** The probe recorded `stack` for the first time: the mappings of its process now are the ones to show it through. */
  notice(stack: bigint): void {
    if (this.noticed.has(stack)) return;
    const frames = this.frames(stack & STACK_ID);
    const generation = frames && current(pidOf(stack), frames);
    if (generation) this.noticed.set(stack, generation);
  }

  /** The frames of `stack`, innermost first, each a name or what is known of it; undefined if the map has no such stack. */
  show(stack: bigint): string[] | undefined {
    const pid = pidOf(stack);
    const frames = this.frames(stack & STACK_ID);
    if (!frames) return undefined;
    const generation = this.noticed.get(stack) ?? current(pid, frames) ?? past(pid, frames);
    if (!generation) {
      sayOnce(`process ${pid}`, `process ${pid} exited before its stacks were read, and its mappings were not recorded: its frames are shown as addresses`);
      return frames.map((a) => `${hex(a)} ([unknown])`);
    }
    return frames.map((a) => frameName(generation, a));
  }
}

/**
 * The mappings process `pid` has now, for a stack of these frames: the last generation read if
 * it is still the same process and program (no exec since) and holds them all, else a new reading;
 * undefined if the process is gone.
 */
function current(pid: number, frames: readonly bigint[]): Generation | undefined {
  const generations = generationsOf(pid);
  const last = generations[generations.length - 1];
  if (last && holdsAll(last, frames) && liveIdentity(pid) === last.identity) return last;
  return readMappings(pid);
}

/** Of an exited process, the latest generation read that holds every frame; undefined if none does. */
function past(pid: number, frames: readonly bigint[]): Generation | undefined {
  const generations = generationsOf(pid);
  for (let i = generations.length - 1; i >= 0; i--) if (holdsAll(generations[i], frames)) return generations[i];
  return undefined;
}

const hex = (a: bigint): string => `0x${a.toString(16)}`;

/** `address` in the generation's mappings as a function and offset, or as hex with what is known. */
function frameName(generation: Generation, address: bigint): string {
  const a = Number(address);
  const mapping = mappingAt(generation, a);
  if (!mapping) return `${hex(address)} ([unknown])`;
  const binary = mapping.binary;
  if (!binary) return `${hex(address)} (${mapping.path})`; // [vdso]: no file to read
  const fns = binary.functions();
  if (!fns) {
    notNamed(binary);
    return `${hex(address)} (${mapping.path})`;
  }
  const fileOffset = a - mapping.start + mapping.offset;
  const segment = fns.segments.find((s) => fileOffset >= s.offset && fileOffset < s.offset + s.size);
  if (!segment) return `${hex(address)} (${mapping.path})`;
  const vaddr = fileOffset - segment.offset + segment.address;
  // The last function starting at or below it, if it holds it.
  const byAddress = fns.byAddress;
  let lo = 0;
  let hi = byAddress.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (byAddress[mid].address <= vaddr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const fn = found >= 0 ? byAddress[found] : undefined;
  if (!fn || (fn.size > 0 && vaddr >= fn.address + fn.size)) return `${hex(address)} (${mapping.path})`;
  const name = demangle(fn.name);
  return vaddr === fn.address ? name : `${name}+${vaddr - fn.address}`;
}

function notNamed(binary: Binary): void {
  sayOnce(`binary ${binary.path} ${binary.buildId}`, `the frames in ${binary.path} are shown as addresses: it ${binary.why}`);
}

const said = new Set<string>();

/** A note on stderr, once per subject: why frames are shown as addresses. */
function sayOnce(subject: string, note: string): void {
  if (said.has(subject)) return;
  said.add(subject);
  writeStderr(`tsbpf: ${note}\n`);
}
