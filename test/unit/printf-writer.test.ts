// printf's lines written as bytes by `tsbpf run` (runtime/output/printf-writer.ts): byte for byte
// the line compileFormat makes from the decoded arguments (itself held to glibc's snprintf by
// printf-format.test.ts), for the conversions written from the record's bytes and for those left
// to their formatter, at each integer's limits, and when the buffer is written out mid-line.
import { sizeOf, type CStruct, type CType } from "../../contract/c-layout.js";
import { codecOf, type CValue } from "../../contract/c-values.js";
import { compileFormat } from "../../runtime/output/printf-format.js";
import { compilePrintfWriter } from "../../runtime/output/printf-writer.js";
import { KeptBytes } from "../helpers/kept-bytes.js";
import { i32, i64, str, struct, u32, u64 } from "../helpers/c-types.js";

/** A printf record: the call's id, then the arguments. */
const recordOf = (types: CType[]): CStruct => struct("Record", Object.fromEntries([["id", u32], ...types.map((t, i) => [`a${i}`, t])]));

function expectSameText(format: string, types: CType[], calls: CValue[][]): string {
  const record = recordOf(types);
  const stride = (sizeOf(record) + 7) & ~7;
  const view = new DataView(new ArrayBuffer(stride * calls.length + 8));
  calls.forEach((args, k) => codecOf(record).write(view, 8 + k * stride, Object.fromEntries([["id", 0], ...args.map((a, i) => [`a${i}`, a])])));
  const expected = calls.map((args) => compileFormat(format, types)(args)).join("");
  for (const capacity of [65536, 64, 8]) {
    const sink = new KeptBytes(capacity);
    const write = compilePrintfWriter(format, record)(view, sink);
    calls.forEach((_, k) => expect(write(8 + k * stride)).toBe(1));
    expect(sink.text()).toBe(expected);
  }
  return expected;
}

test("bare %d, %i and %u of 32- and 64-bit integers, as C reads the promoted argument, at their limits", () => {
  const out = expectSameText("%d %i %u|%d %u|%lld %llu %lld %llu\n", [i32, i32, i32, u32, u32, i64, u64, u64, i64], [
    [-2147483648, 2147483647, -1, 4294967295, 0, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 53n + 1n, -1n],
    [0, 7, 1, 1, 4294967295, 0n, 0n, 2n ** 53n - 1n, 2n ** 63n - 1n],
    [1000000000, 999999999, 1000000001, 2147483648, 1000000000, -(2n ** 53n), 10n ** 9n, 123456789012345n, 31_000_000_000_000n],
  ]);
  expect(out.split("\n")[0]).toBe("-2147483648 2147483647 4294967295|-1 0|-9223372036854775808 18446744073709551615 9007199254740993 18446744073709551615");
});

test("%s of a Str: ASCII copied, UTF-8 and invalid bytes through the decoder, full and empty", () => {
  const calls = ["", "bash", "fifteen-chars!!", "héllo wörld", "x".repeat(63)].map((s) => [s, s.length]);
  expectSameText("[%s] %d\n", [str(64), i32], calls);
  // Bytes that are not UTF-8, written into the record by hand: U+FFFD, as the decoder reads them.
  const record = recordOf([str(16)]);
  const view = new DataView(new ArrayBuffer(32));
  new Uint8Array(view.buffer, 4, 3).set([0x41, 0xff, 0x42]);
  const sink = new KeptBytes(256);
  compilePrintfWriter("%s!", record)(view, sink)(0);
  expect(sink.text()).toBe("A\uFFFDB!");
});

test("conversions with flags, widths and precisions, and %x %o %c %p, through their formatters", () => {
  expectSameText("%5d|%-5u|%05d|%+d|%x|%#llx|%o|%c|%p|%10s|%-6.2s|%.3d\n", [i32, u32, i32, i32, u32, u64, u32, i32, u64, str(16), str(16), i32], [
    [42, 7, -3, 5, 255, 2n ** 64n - 1n, 8, 65, 0xffff8880deadbeefn, "bash", "sshd", 7],
    [-42, 4294967295, 0, -5, 0, 0n, 0, 97, 0n, "", "a", 0],
  ]);
});

test("text around and between conversions: %%, UTF-8, a long literal, no conversion at all", () => {
  expectSameText("100%% → é %d\n", [i32], [[1], [-1]]);
  expectSameText(`${"long text ".repeat(12)}%u\n`, [u32], [[3]]);
  expectSameText("only text\n", [], [[], []]);
  expectSameText("%d%d%d", [i32, i32, i32], [[1, 2, 3]]);
});
