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
