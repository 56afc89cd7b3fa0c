// Params of every width written by the runtime (contract/c-values.ts) at the offsets the compiler
// laid them out at (contract/c-layout.ts), padding between them, read back by programs in the kernel.
import { open, type ParamValues } from "../../runtime/index.js";
import { repo } from "../helpers/tsbpf-command.js";

const FIXTURE = repo("test/fixtures/language/param-widths.ts");

async function readBack(params: ParamValues): Promise<number[]> {
  const probe = await open(FIXTURE, { params });
  try {
    return ["e", "b", "a", "dHigh", "dLow", "c"].map((name) => probe.testRun(name).retval >>> 0);
  } finally {
    probe.close();
  }
}

test("each param at its limit reaches its program, its neighbours untouched", async () => {
  expect(await readBack({ E: -128, B: 65535, A: 255, D: -2n, C: 0xffffffff })).toEqual([0xffffff80, 65535, 255, 0xffffffff, 0xfffffffe, 0xffffffff]);
  expect(await readBack({ E: 127, B: 0, A: 0, D: 0x7fffffffffffffffn, C: 0 })).toEqual([127, 0, 0, 0x7fffffff, 0xffffffff, 0]);
});

test("params not given keep their defaults", async () => {
  expect(await readBack({ B: 1234 })).toEqual([0xfffffffb, 1234, 1, 0xffffffff, 0xfffffffc, 3]);
});
