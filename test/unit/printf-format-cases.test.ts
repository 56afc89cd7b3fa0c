// printf's formatting (runtime/output/printf-format.ts): integers of up to 32 bits are formatted
// with numbers, wider ones (and any bigint) with bigints; both give C's text for every conversion.
import type { CInt } from "../../contract/c-layout.js";
import { compileFormat } from "../../runtime/output/printf-format.js";

const int = (bits: CInt["bits"], signed: boolean): CInt => ({ kind: "int", bits, signed });
const SPECS = ["%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d", "% d", "%#x", "%#o", "%.3d", "%.0d", "%8.3x"];

test.each<[CInt["bits"], boolean]>([
  [8, true],
  [8, false],
  [16, true],
  [32, true],
  [32, false],
])("a %i-bit integer (signed: %s) as a number prints as the same integer as a bigint", (bits, signed) => {
  const values = [0, 1, -1, 7, 127, -128, 255, 200, -300, 65535, 2147483647, -2147483648, 4294966996];
  for (const spec of SPECS) {
    const format = compileFormat(spec, [int(bits, signed)]);
    for (const v of values) expect([spec, v, format([v])]).toEqual([spec, v, format([BigInt(v)])]);
  }
});

test("C's text for the conversions of numbers", () => {
  const i32 = int(32, true);
  const f = (spec: string, v: number) => compileFormat(spec, [i32])([v]);
  expect([f("%d", -300), f("%u", -300), f("%x", -1), f("%05d", -42), f("%#o", 8), f("%.0d", 0), f("%+d", 5), f("%-4d|", 3), f("%#x", 0)]).toEqual([
    "-300",
    "4294966996",
    "ffffffff",
    "-0042",
    "010",
    "",
    "+5",
    "3   |",
    "0",
  ]);
});
