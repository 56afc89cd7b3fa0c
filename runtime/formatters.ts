// The formatters a user program may call on what it reads (`tsbpf/runtime` re-exports them):
// syscall and errno names, IP addresses, kernel symbols. Each loads its module, and its table,
// on first use: a run that shows no such value never pays for them (the start-up budget, D82).

type SyscallNames = typeof import("./output/syscall-names.js");
type Errnos = typeof import("./output/errno.js");
type IpAddresses = typeof import("./output/ip-address.js");
type Symbols = typeof import("./output/kernel-symbols.js");

let syscalls: SyscallNames | undefined;
let errnos: Errnos | undefined;
let ip: IpAddresses | undefined;
let symbols: Symbols | undefined;
const syscallModule = () => (syscalls ??= require("./output/syscall-names.js") as SyscallNames);
const errnoModule = () => (errnos ??= require("./output/errno.js") as Errnos);
const ipModule = () => (ip ??= require("./output/ip-address.js") as IpAddresses);
const symbolModule = () => (symbols ??= require("./output/kernel-symbols.js") as Symbols);

export type { KernelSymbol, KernelSymbols } from "./output/kernel-symbols.js";

/** The name of system call `nr` on `arch` (Node's names, x64 or arm64; default this machine's), or undefined. */
export const syscallName: SyscallNames["syscallName"] = (nr, arch) => syscallModule().syscallName(nr, arch);
/** The number of system call `name` on `arch` (default this machine's), or undefined. */
export const syscallNumber: SyscallNames["syscallNumber"] = (name, arch) => syscallModule().syscallNumber(name, arch);
/** The name of errno `n` (2: ENOENT), or undefined. */
export const errnoName: Errnos["errnoName"] = (n) => errnoModule().errnoName(n);
/** The number of errno `name` (ENOENT: 2), or undefined. */
export const errnoNumber: Errnos["errnoNumber"] = (name) => errnoModule().errnoNumber(name);
/** A result that is -errno on failure as text: `-2 (ENOENT)`, `3`. */
export const formatResult: Errnos["formatResult"] = (v) => errnoModule().formatResult(v);
/** An IPv4 address from the u32 the kernel keeps (network byte order in memory) or its 4 bytes: `10.0.0.1`. */
export const formatIpv4: IpAddresses["formatIpv4"] = (a) => ipModule().formatIpv4(a);
/** `10.0.0.1` as the u32 formatIpv4 reads; undefined if it is not an IPv4 address. */
export const parseIpv4: IpAddresses["parseIpv4"] = (text) => ipModule().parseIpv4(text);
/** An IPv6 address from its 16 bytes, in RFC 5952's form: `fe80::1`. */
export const formatIpv6: IpAddresses["formatIpv6"] = (bytes) => ipModule().formatIpv6(bytes);
/** The 16 bytes of an IPv6 address's text; undefined if it is not one. */
export const parseIpv6: IpAddresses["parseIpv6"] = (text) => ipModule().parseIpv6(text);
/** This machine's kernel symbols (/proc/kallsyms, read on first use): `lookup`, `format`, `addressOf`, `hidden`. */
export const kernelSymbols: Symbols["kernelSymbols"] = () => symbolModule().kernelSymbols();
/** A kernel address as the symbol it falls in, `vfs_read+0x12`, or hex. */
export const kernelSymbol = (address: bigint): string => kernelSymbols().format(address);
