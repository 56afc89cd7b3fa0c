// How user space shows each formatted type of the stdlib (stdlib/formats.d.ts; the manifest's
// `format` on an integer or byte array): what a decoded value becomes, what a value given from
// user space (a key to look up) is turned back into, and the text `tsbpf run` prints.

import type { CValue } from "../../contract/c-values.js";
import type { ValueFormat } from "../../contract/c-layout.js";
import { TsbpfError } from "../../contract/errors.js";
import { nearestNames } from "../../contract/nearest-names.js";
import { writeStderr } from "../stderr.js";
import { errnoNumber, formatResult } from "./errno.js";
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from "./ip-address.js";
import { kernelSymbols } from "./kernel-symbols.js";
import { syscallName, syscallNumber, syscallNumbers } from "./syscall-names.js";

export interface ValueFormatter {
  /** The decoded (raw) value as user space sees it. */
  show(raw: CValue): CValue;
  /** A value given from user space, as show() gives it or raw, turned into the raw value. */
  accept(given: unknown): unknown;
  /** What `tsbpf run` prints for a shown value. */
  text(shown: CValue): string;
}

const asText = (v: CValue) => String(v);

const syscall: ValueFormatter = {
  // A number this table does not know (a newer kernel's call) shows as its digits.
  show: (raw) => syscallName(raw as number) ?? String(raw),
  accept: (given) => {
    if (typeof given !== "string") return given;
    if (/^\d+$/.test(given)) return Number(given);
    const nr = syscallNumber(given);
    if (nr === undefined) throw unknownName(given, "a system call", `on ${process.arch}`, syscallNumbers().keys());
    return nr;
  },
  text: asText,
};

const errno: ValueFormatter = {
  show: (raw) => raw,
  accept: (given) => {
    // "-ENOENT" as well as -2.
    const m = typeof given === "string" ? /^-(E[A-Z0-9_]+)$/.exec(given) : null;
    const n = m && errnoNumber(m[1]);
    return n ? -n : given;
  },
  text: (shown) => formatResult(shown as number),
};

const ipv4: ValueFormatter = {
  show: (raw) => formatIpv4(raw as number),
  accept: (given) => (typeof given === "string" ? (parseIpv4(given) ?? badAddress(given, "IPv4", "10.0.0.1")) : given),
  text: asText,
};

const ipv6: ValueFormatter = {
  show: (raw) => formatIpv6(raw as number[]),
  accept: (given) => (typeof given === "string" ? (parseIpv6(given) ?? badAddress(given, "IPv6", "fe80::1")) : given),
  text: asText,
};

let warnedHidden = false;

const ksym: ValueFormatter = {
  show: (raw) => {
    const symbols = kernelSymbols();
    if (symbols.hidden && !warnedHidden) {
      warnedHidden = true;
      writeStderr(`tsbpf: kernel addresses are shown in hex: ${symbols.hidden}\n`);
    }
    return symbols.format(raw as bigint);
  },
  accept: (given) => {
    if (typeof given !== "string") return given;
    if (/^0x[0-9a-f]+$/i.test(given)) return BigInt(given);
    const m = /^([^+\s]+)(?:\+0x([0-9a-f]+))?(?: \[\S+\])?$/i.exec(given);
    // A name several symbols share (static functions) is taken at its lowest address: give the address to be exact.
    const base = m ? kernelSymbols().addressOf(m[1]) : undefined;
    if (base === undefined) throw new TsbpfError(`'${given}' is not a kernel symbol`, { subject: "a KernelAddress", hint: "give an address (a bigint, or hex text such as 0xffffffff81000000) or a symbol of /proc/kallsyms (vfs_read, vfs_read+0x12)" });
    return base + BigInt(`0x${m![2] ?? "0"}`);
  },
  text: asText,
};

/** A stack is shown from its probe's stack map: stacks.ts. */
export const VALUE_FORMATTERS: Readonly<Record<Exclude<ValueFormat, "kstack" | "ustack">, ValueFormatter>> = { syscall, errno, ipv4, ipv6, ksym };

function unknownName(given: string, what: string, where: string, names: Iterable<string>): TsbpfError {
  const near = nearestNames(given, names);
  return new TsbpfError(`'${given}' is not ${what} ${where}`, { subject: `${what}'s name`, hint: near.length ? `did you mean ${near.join(", ")}?` : "give its name or its number" });
}

function badAddress(given: string, family: string, example: string): never {
  throw new TsbpfError(`'${given}' is not an ${family} address`, { subject: `an ${family} address`, hint: `write it as ${example}, or give the raw value` });
}
