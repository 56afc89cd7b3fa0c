// Strings compared in the kernel (lower/str-compare.ts): a Str with a string literal or with
// another Str, and startsWith, run with BPF_PROG_TEST_RUN and on a tracepoint with comm(). Each
// program sets one bit per comparison, in the order the fixture writes them.
import { readFileSync } from "node:fs";
import koffi from "koffi";
import { open } from "../../runtime/index.js";
import { syncfsFromThisProcess, syncfsLater } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

const fixture = repo("test/fixtures/language/str-compare.ts");

/** The bits set where `results` is true. */
const mask = (results: boolean[]) => results.reduce((m, r, i) => (r ? m | (1 << i) : m), 0) >>> 0;

/** Bytes in this process's memory, where the probe reads them with readUser (the test run runs in this task). */
function bytesAt(bytes: number[]): { address: bigint; free(): void } {
  const memory = koffi.alloc("uint8_t", bytes.length);
  koffi.encode(memory, koffi.array("uint8_t", bytes.length), bytes);
  return { address: koffi.address(memory) as bigint, free: () => koffi.free(memory) };
}

test("a Str compares with string literals and startsWith: empty, N - 1 bytes, longer than N, UTF-8, truncated, a NUL inside", async () => {
  const probe = await open(fixture);
  try {
    // prettier-ignore
    expect(probe.testRun("literals").retval >>> 0).toBe(mask([
      true, false, false, false, true, false, true, false, // ===, !==, shorter, longer, literal first, "" (twice), N bytes
      true, true, true, false, false, true, true,          // startsWith: ba, "", whole, longer, other; ==, !=
      true, false, false,                                  // N - 1 bytes; N bytes; N + 1 bytes
      true, true, false,                                   // UTF-8: equal, prefix, ASCII look-alike
      true, false, false, true,                            // truncated literal; its full text; a NUL inside; "" starts ""
    ]));
  } finally {
    probe.close();
  }
});

test("a Str compares with a Str of any size, as C strings", async () => {
  const probe = await open(fixture);
  try {
    // a = b (8 and 16 bytes), not "bashful" either way, not "bas" (Str<4>), not !==, itself, b ≠ c, a ≠ "bask", !=
    expect(probe.testRun("strs").retval >>> 0).toBe(mask([true, false, false, false, false, false, true, true, false, false, true]));
  } finally {
    probe.close();
  }
});

test("a full Str (no NUL in its N bytes) is all N bytes, as user space decodes it", async () => {
  const linux = bytesAt([..."Linux"].map((c) => c.charCodeAt(0)).concat([0x79, 0]));
  const probe = await open(fixture, { params: { LINUX: linux.address } });
  try {
    // = "Linux", ≠ "Linu", starts with "Linu" and "Linux", not "Linuxy"; = Str<16> "Linux" both ways, ≠ "Linuxy", = itself, ≠ Str<5> "Linu"
    expect(probe.testRun("full").retval >>> 0).toBe(mask([true, false, true, true, false, true, true, false, true, false]));
  } finally {
    probe.close();
    linux.free();
  }
});

test("two Str<4096> with no NUL compare in a loop the verifier accepts (in the scratch buffer)", async () => {
  const run = Array<number>(4096).fill(0x61);
  const a = bytesAt(run);
  const b = bytesAt([...run.slice(0, 4095), 0x62]);
  const probe = await open(fixture, { params: { RUN_A: a.address, RUN_B: b.address } });
  try {
    expect(probe.testRun("big").retval >>> 0).toBe(mask([true, false, true]));
  } finally {
    probe.close();
    a.free();
    b.free();
  }
});

test("comm() compares with literals and Strs: a `sync` child, and this process", async () => {
  const child = syncfsLater();
  let synced = false;
  const probe = await open(fixture, { params: { TARGET: child.pid, SELF: process.pid } }).catch(async (e: unknown) => {
    await child.go(); // the child waits for a line: never leave it waiting
    throw e;
  });
  try {
    probe.attach();
    await child.go();
    synced = true;
    syncfsFromThisProcess();
    probe.detach();
    const self = readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim();
    expect(self.startsWith("syn")).toBe(false); // else the expectations below are wrong
    const out = probe.map("out");
    // === "sync", starts "syn", !==, = Str<16>, = Str<8>, literal first, not "sync!", = comm()
    expect(out.get(0)).toBe(mask([true, true, false, true, true, true, false, true]));
    expect(out.get(1)).toBe(mask([false, false, true, false, false, false, false, true]));
  } finally {
    probe.close();
    if (!synced) await child.go();
  }
});
