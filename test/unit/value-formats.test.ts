// The formatters' tables held against independent sources on this machine (the kernel headers
// of linux-libc-dev, Node's own errno constants), and their text forms against the RFCs and the
// kallsyms format, with no kernel needed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { errnoName, errnoNumber, formatResult } from "../../runtime/output/errno.js";
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from "../../runtime/output/ip-address.js";
import { KernelSymbols } from "../../runtime/output/kernel-symbols.js";
import { syscallName, syscallNumber } from "../../runtime/output/syscall-names.js";
import { viewOf } from "../../runtime/output/value-views.js";
import type { CType } from "../../contract/c-layout.js";
import { repo } from "../helpers/tsbpf-command.js";

/** The system calls a header's `#define __NR_name value` lines number (one level of aliases: __NR3264_*). */
function headerNumbers(text: string): Map<string, number> {
  const defs = new Map<string, string>();
  for (const m of text.matchAll(/^#define\s+(__NR\w+)\s+(\S+)/gm)) defs.set(m[1], m[2]);
  const out = new Map<string, number>();
  for (const [name, value] of defs) {
    if (!name.startsWith("__NR_") || name === "__NR_syscalls" || name === "__NR_arch_specific_syscall") continue;
    const n = /^\d+$/.test(value) ? Number(value) : Number(defs.get(value));
    if (Number.isInteger(n)) out.set(name.slice("__NR_".length), n);
  }
  return out;
}

/** x86-64's own header; arm64's is asm-generic/unistd.h under the defines of its uapi asm/unistd.h, through the C preprocessor. */
function systemHeader(arch: string): string | undefined {
  if (arch === "x64") {
    const path = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }
  const cc = ["cc", "gcc", "clang-14", "clang"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);
  if (!cc || !existsSync("/usr/include/asm-generic/unistd.h")) return undefined;
  const wants = ["RENAMEAT", "NEW_STAT", "SET_GET_RLIMIT", "TIME32_SYSCALLS", "SYS_CLONE3", "MEMFD_SECRET"].map((w) => `-D__ARCH_WANT_${w}`);
  return execFileSync(cc, ["-E", "-dM", ...wants, "-include", "asm-generic/unistd.h", "-x", "c", "-"], { input: "", encoding: "utf8" });
}

describe("syscall names", () => {
  test.each(["x64", "arm64"])("%s: every system call the system's kernel headers number has the headers' name", (arch) => {
    const header = systemHeader(arch);
    if (!header) return console.log(`skipped: no kernel headers or C preprocessor for ${arch} (apt-get install linux-libc-dev gcc)`);
    const numbers = headerNumbers(header);
    expect(numbers.size).toBeGreaterThan(250);
    expect([...numbers].filter(([name, nr]) => syscallName(nr, arch) !== name)).toEqual([]);
  });

  test("names and numbers go both ways, for this machine's architecture by default", () => {
    expect(syscallName(257, "x64")).toBe("openat");
    expect(syscallName(56, "arm64")).toBe("openat");
    expect(syscallNumber("getppid", "x64")).toBe(110);
    expect(syscallNumber("getppid", "arm64")).toBe(173);
    expect(syscallName(syscallNumber("syncfs")!)).toBe("syncfs");
    expect(syscallName(100_000, "x64")).toBeUndefined();
    expect(syscallName(0, "riscv64")).toBeUndefined();
    expect(syscallNumber("toString", "x64")).toBeUndefined();
  });
});

describe("errno names", () => {
  test("every errno Node knows has the same number here", () => {
    const node = Object.entries(constants.errno).filter(([name]) => !["EWOULDBLOCK", "EDEADLOCK", "ENOTSUP"].includes(name));
    expect(node.length).toBeGreaterThan(70);
    for (const [name, n] of node) expect([name, errnoName(n)]).toEqual([name, name]);
    for (const [name, n] of node) expect([name, errnoNumber(name)]).toEqual([name, n]);
  });

  test("a result is shown as -errno (NAME) when it is one, as it is otherwise", () => {
    expect(formatResult(-2)).toBe("-2 (ENOENT)");
    expect(formatResult(-512n)).toBe("-512 (ERESTARTSYS)"); // kernel-internal, seen at a syscall's exit
    expect(formatResult(3)).toBe("3");
    expect(formatResult(0)).toBe("0");
    expect(formatResult(-4096)).toBe("-4096");
  });
});

describe("IP addresses", () => {
  test("IPv4 from the kernel's network-order u32 and its bytes, and back", () => {
    expect(formatIpv4(0x0100007f)).toBe("127.0.0.1");
    expect(formatIpv4(0xfffefdfc)).toBe("252.253.254.255");
    expect(formatIpv4([10, 0, 0, 1])).toBe("10.0.0.1");
    expect(parseIpv4("10.0.0.1")).toBe(0x0100000a);
    for (const bad of ["1.2.3", "256.0.0.1", "01.2.3.4", "1.2.3.4.5", "a.b.c.d", ""]) expect([bad, parseIpv4(bad)]).toEqual([bad, undefined]);
  });

  test("IPv6 in RFC 5952's canonical form", () => {
    const cases: [string, string][] = [
      ["::1", "::1"],
      ["::", "::"],
      ["2001:DB8:0:0:0:0:2:1", "2001:db8::2:1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // one zero group stays
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // the longest run
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of equal runs
      ["::ffff:192.0.2.1", "::ffff:192.0.2.1"], // IPv4-mapped
      ["fe80::1", "fe80::1"],
    ];
    for (const [text, canonical] of cases) expect([text, formatIpv6(parseIpv6(text)!)]).toEqual([text, canonical]);
    for (const bad of ["1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "fe80::1%eth0", "::ffff:1.2.3.256", "1.2.3.4"]) expect([bad, parseIpv6(bad)]).toEqual([bad, undefined]);
  });
});

describe("kernel symbols", () => {
  const unsorted = KernelSymbols.read(repo("test/fixtures/kallsyms/unsorted"));

  test("an address is the symbol at or below it, with its offset and module, in any order kallsyms lists them", () => {
    expect(unsorted.hidden).toBeUndefined();
    expect(unsorted.format(0xffffffff81200000n)).toBe("vfs_read");
    expect(unsorted.format(0xffffffff812000ffn)).toBe("vfs_read+0xff");
    expect(unsorted.format(0xffffffff81100010n)).toBe("middle+0x10");
    expect(unsorted.format(0xffffffffc0000004n)).toBe("mod_init+0x4 [first]");
    expect(unsorted.lookup(0xffffffffc0010002n)).toEqual({ name: "fuse_open", offset: 2n, module: "fuse" });
    expect(unsorted.format(0x10n)).toBe("0x10"); // below every symbol (absolute symbols are not addresses)
    expect(unsorted.format(0xffffffffc1000000n)).toBe("0xffffffffc1000000"); // 16 MiB past the last: in none
    expect(unsorted.addressOf("vfs_write")).toBe(0xffffffff81200100n);
  });

  test("kallsyms that shows zeros (kptr_restrict) hides addresses and says why", () => {
    const hidden = KernelSymbols.read(repo("test/fixtures/kallsyms/restricted"));
    expect(hidden.hidden).toMatch(/shows every address as 0 \(kernel\.kptr_restrict = \S+\)/);
    expect(hidden.format(0xffffffff81200000n)).toBe("0xffffffff81200000");
    expect(KernelSymbols.read("/nonexistent/kallsyms").hidden).toMatch(/cannot be read \(ENOENT\)/);
  });

  test("this machine's kallsyms, read whole", () => {
    const here = KernelSymbols.read();
    if (here.hidden) return console.log(`skipped: ${here.hidden}`);
    const address = here.addressOf("vfs_read")!;
    expect(here.format(address + 3n)).toBe("vfs_read+0x3");
  });
});

describe("value views", () => {
  const u32: CType = { kind: "int", bits: 32, signed: false };
  const record: CType = {
    kind: "struct",
    name: "R",
    fields: [
      { name: "nr", type: { ...u32, format: "syscall" } },
      { name: "ret", type: { kind: "int", bits: 32, signed: true, format: "errno" } },
      { name: "__proto__", type: { ...u32, format: "ipv4" } },
      { name: "plain", type: u32 },
    ],
  };

  test("a struct shows only its formatted fields, prints bpftrace's way, and takes its text back", () => {
    const view = viewOf(record);
    const shown = view.show!({ nr: 257, ret: -13, ["__proto__"]: 0x0100007f, plain: 5 } as never);
    expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
    expect(Object.entries(shown)).toEqual([["nr", "openat"], ["ret", -13], ["__proto__", "127.0.0.1"], ["plain", 5]]);
    expect(view.text(shown)).toBe("{ .nr = openat, .ret = -13 (EACCES), .__proto__ = 127.0.0.1, .plain = 5 }");
    const given = { nr: "openat", ret: -13, plain: 5 };
    expect(view.accept!(given)).toEqual({ nr: 257, ret: -13, plain: 5 });
    expect(given.nr).toBe("openat"); // the caller's object is left as it was
  });

  test("a type with nothing formatted inside has no show: decoded values are used as they are", () => {
    expect(viewOf({ kind: "struct", name: "P", fields: [{ name: "a", type: u32 }] }).show).toBeUndefined();
    expect(viewOf({ kind: "array", elem: u32, length: 4 }).show).toBeUndefined();
    expect(viewOf({ kind: "array", elem: { ...u32, format: "ipv4" }, length: 2 }).show!([0x0100007f, 0])).toEqual(["127.0.0.1", "0.0.0.0"]);
  });
});
