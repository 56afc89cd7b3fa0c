// Formatted values (stdlib/formats.d.ts) in the kernel and out: system calls counted by number
// read back by name, results as numbers printed with their errno's name, addresses written in
// the kernel read as text, a kernel address given by its symbol and read back as one.
import { readFileSync, rmdirSync } from "node:fs";
import { open, TsbpfError } from "../../runtime/index.js";
import { syscallNumber } from "../../runtime/formatters.js";
import { formatMaps } from "../../runtime/output/map-printer.js";
import { syncfsFromThisProcess } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

const fixture = repo("test/fixtures/maps/formatted.ts");

/** The address /proc/kallsyms gives `name`. */
function kallsymsAddress(name: string): bigint {
  const line = readFileSync("/proc/kallsyms", "latin1").split("\n").find((l) => l.endsWith(` ${name}`) && / [tT] /.test(l));
  if (!line) throw new Error(`no ${name} in /proc/kallsyms`);
  return BigInt(`0x${line.split(" ")[0]}`);
}

/** What a user sees of the TsbpfError `f` throws. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof TsbpfError) return e.format();
    throw e;
  }
  throw new Error("no error");
}

/** The call libuv makes for rmdir(): rmdir on x86-64, unlinkat (with AT_REMOVEDIR) on arm64. */
const RMDIR = process.arch === "arm64" ? "unlinkat" : "rmdir";

test("a probe's formatted keys and values read as names and text, and print so", async () => {
  const probe = await open(fixture, { params: { TARGET: process.pid } });
  try {
    const symbols = probe.map("symbols");
    symbols.set(0, "vfs_read"); // by name: the runtime finds its address
    probe.attach();
    syncfsFromThisProcess();
    expect(() => rmdirSync("/tsbpf-no-such-directory")).toThrow(/ENOENT/);
    probe.detach();

    const calls = probe.map("calls");
    const counted = new Map(calls.entries() as [string, bigint][]);
    expect(counted.get("syncfs")).toBeGreaterThanOrEqual(1n);
    expect(counted.get(RMDIR)).toBeGreaterThanOrEqual(1n);
    // Every key is a name (or, for a call the table does not know, its number's digits).
    for (const key of counted.keys()) expect(key).toMatch(/^([a-z_][a-z0-9_]*|\d+)$/);
    // A key may be given by name or by number.
    expect(calls.get("syncfs")).toBe(counted.get("syncfs"));
    expect(calls.get(syscallNumber("syncfs")!)).toBe(counted.get("syncfs"));

    const results = probe.map("results");
    expect(results.get(RMDIR)).toBe(-2);
    expect(results.get("syncfs")).toBe(0);

    const peer = { v4: "127.0.0.1", v6: "fe80::1", port: 80 };
    expect(probe.map("peers").entries()).toEqual([["127.0.0.1", peer]]);
    expect(probe.map("peers").get("127.0.0.1")).toEqual(peer);

    expect(symbols.entries().sort()).toEqual([
      [0, "vfs_read"],
      [1, "vfs_read+0x10"],
    ]);
    // Given as an address, read as the symbol: the same as /proc/kallsyms says.
    symbols.set(2, kallsymsAddress("vfs_write") + 5n);
    expect(symbols.get(2)).toBe("vfs_write+0x5");

    const printed = formatMaps(["calls", "results", "peers", "symbols"].map((m) => probe.map(m)));
    expect(printed).toMatch(/^@calls\[syncfs\]: \d+$/m);
    expect(printed).toContain(`@results[${RMDIR}]: -2 (ENOENT)\n`);
    expect(printed).toContain("@results[syncfs]: 0\n");
    expect(printed).toContain("@peers[127.0.0.1]: { .v4 = 127.0.0.1, .v6 = fe80::1, .port = 80 }\n");
    expect(printed).toContain("@symbols[1]: vfs_read+0x10\n");
  } finally {
    probe.close();
  }
});

test("a name that is not one is a clear error naming the nearest", async () => {
  const probe = await open(fixture, { params: { TARGET: 1 } });
  try {
    expect(errorOf(() => probe.map("calls").get("opnat"))).toMatch(/'opnat' is not a system call on \w+\nhint: did you mean openat/);
    expect(errorOf(() => probe.map("peers").get("10.0.0.300"))).toContain("'10.0.0.300' is not an IPv4 address\nhint: write it as 10.0.0.1");
    expect(errorOf(() => probe.map("symbols").set(0, "no_such_kernel_function"))).toContain("'no_such_kernel_function' is not a kernel symbol");
  } finally {
    probe.close();
  }
});
