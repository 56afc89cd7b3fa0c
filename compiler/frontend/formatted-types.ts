// The stdlib's formatted types (stdlib/formats.d.ts): integers and byte arrays laid out exactly
// as their base type, whose C type carries a `format` that the manifest hands the runtime, so
// that a `Count<SyscallNr>` prints `@[openat]: 12` and decodes to names (decisions D110).

import type { ArrayType, IntType } from "./probe-types.js";

const BYTE: IntType = { kind: "int", bits: 8, signed: false, name: "u8" };

const FORMATTED_TYPES: ReadonlyMap<string, IntType | ArrayType> = new Map<string, IntType | ArrayType>([
  ["SyscallNr", { kind: "int", bits: 32, signed: false, name: "SyscallNr", format: "syscall" }],
  ["Errno", { kind: "int", bits: 32, signed: true, name: "Errno", format: "errno" }],
  ["Ipv4Addr", { kind: "int", bits: 32, signed: false, name: "Ipv4Addr", format: "ipv4" }],
  ["KernelAddress", { kind: "int", bits: 64, signed: false, name: "KernelAddress", format: "ksym" }],
  ["KernelStack", { kind: "int", bits: 64, signed: true, name: "KernelStack", format: "kstack" }],
  ["UserStack", { kind: "int", bits: 64, signed: false, name: "UserStack", format: "ustack" }],
  ["Ipv6Addr", { kind: "array", elem: BYTE, length: 16, format: "ipv6" }],
]);

/** The probe type of the stdlib alias `name` if it is a formatted one. */
export const formattedType = (name: string): IntType | ArrayType | undefined => FORMATTED_TYPES.get(name);
