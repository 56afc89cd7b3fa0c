// Reading the calling process's memory: this test process puts a string and numbers in memory
// it owns, calls syncfs(2) itself, and the probe reads them back through user pointers.
import koffi from "koffi";
import { open } from "../../runtime/index.js";
import { syncfsFromThisProcess } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";

test("readUser and readUserStr read the caller's memory; failed reads (user or kernel) give zero", async () => {
  const text = "hello from user space";
  const str = koffi.alloc("char", 64) as unknown as bigint;
  koffi.encode(str, "char", text, text.length + 1);
  const num = koffi.alloc("uint8_t", 16) as unknown as bigint;
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64LE(0x1122334455667788n, 0);
  bytes.writeUInt32LE(7, 8);
  bytes.writeUInt32LE(9, 12);
  koffi.encode(num, "uint8_t", [...bytes], 16);

  const probe = await open(repo("test/fixtures/language/user-memory.ts"), { params: { TARGET: process.pid, STR: str, NUM: num } });
  try {
    probe.openTracePipe();
    probe.attach();
    syncfsFromThisProcess();
    const stop = AbortSignal.timeout(10_000);
    const lines: string[] = [];
    for await (const l of probe.traceLines(stop)) {
      lines.push(l.message);
      if (l.message.startsWith("kernel=")) break;
    }
    expect(lines).toEqual(["str=hello from user space short=hello num=1122334455667788 pair=7,9 unmapped=0 same=1", "kernel=0 kstr=[]"]);
  } finally {
    probe.close();
    koffi.free(str as never);
    koffi.free(num as never);
  }
});
