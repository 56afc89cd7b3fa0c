// Integer literals and param defaults beyond 2^53 keep every bit, in the kernel.
import { open } from "../../runtime/index.js";
import { repo } from "../helpers/tsbpf-command.js";

test("64-bit literals are exact", async () => {
  const probe = await open(repo("test/fixtures/language/literals.ts"));
  try {
    const run = (name: string) => probe.testRun(name).retval >>> 0;
    expect([run("high"), run("low"), run("paramHigh"), run("paramLow")]).toEqual([0xffffffff, 0xfffffff1, 0xffffffff, 0xfffffffe]);
  } finally {
    probe.close();
  }
});

test("shorthand properties name the variable in scope, also one that shadows an import", async () => {
  await using probe = await open(repo("test/fixtures/language/shorthand.ts"));
  probe.testRun("produce", new Uint8Array(64), 3);
  const seen: unknown[] = [];
  probe.events("samples").poll((batch) => seen.push(...batch));
  expect(seen).toEqual([0n, 1n, 2n].map((seq) => ({ seq, pid: 4242, payload: [seq + 1n, seq + 2n] })));
  expect(probe.map("last").get(0)).toEqual({ seq: 2n, pid: 4242, payload: [2n, 2n] });
});
