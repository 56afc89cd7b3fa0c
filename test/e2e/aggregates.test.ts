// Structs and fixed arrays, run in the kernel (BPF_PROG_TEST_RUN) and checked against the same
// computation in JavaScript: literals written in place, nested fields, reference semantics
// (a struct passed to a function or aliased is the same storage), struct results, for…of, and
// indexing, with variable indices out of range reading 0 and writing nothing.
import { open } from "../../runtime/index.js";
import { repo } from "../helpers/tsbpf-command.js";

const u32 = (x: bigint) => Number(BigInt.asUintN(32, x));

function expected(A: bigint, B: bigint): { fields: number; index: number } {
  const id = BigInt.asUintN(8, A);
  const x = BigInt.asIntN(32, A) + 1n; // bump()
  const tags = [1n, 2n, 7n, 0n];
  const mx = BigInt.asIntN(32, x + 10n);
  const area = BigInt.asUintN(64, B * B);
  const fields = u32(BigInt.asUintN(32, area) + BigInt.asUintN(32, mx) + tags.reduce((a, b) => a + b) + id + 0n);
  const xs = [10n, 20n, 30n, 40n, 0n, 0n, 0n, 0n];
  const bi = BigInt.asUintN(32, B);
  if (bi < 8n) xs[Number(bi)] = 99n;
  const ai = BigInt.asUintN(32, A);
  return { fields, index: u32((ai < 8n ? xs[Number(ai)] : 0n) + 8n) };
}

test.each([
  [5n, 3n],
  [2n, 7n],
  [9n, 1n],
  [0xffffffffn, 0x1_0000_0003n],
  [-4n & 0xffffffffffffffffn, 8n],
])("A=%s B=%s", async (A, B) => {
  const probe = await open(repo("test/fixtures/language/aggregates.ts"), { params: { A, B } });
  try {
    const want = expected(A, B);
    expect({ fields: probe.testRun("fields").retval, index: probe.testRun("index").retval }).toEqual(want);
  } finally {
    probe.close();
  }
});

test("aggregates past the 512-byte stack go to a per-CPU scratch buffer, in a program's handler", async () => {
  for (const A of [0n, 10n]) {
    const probe = await open(repo("test/fixtures/language/scratch.ts"), { params: { A } });
    try {
      // ys[i] = A + i, c[i] = 2 ys[i], the sum of c plus xs[2] = 3.
      const expected = 2n * (40n * A + 780n) + 3n;
      expect(probe.testRun("big").retval).toBe(Number(expected));
    } finally {
      probe.close();
    }
  }
});
