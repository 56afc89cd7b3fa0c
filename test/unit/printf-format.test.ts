// printf's formatting in user space against the C library's own snprintf, conversion by
// conversion, for integers as C passes them (promoted to int, or 64-bit) and strings.
import koffi from "koffi";
import type { CInt, CType } from "../../contract/c-layout.js";
import { compileFormat } from "../../runtime/output/printf-format.js";

const libc = koffi.load("libc.so.6");
const snprintf = libc.func("int snprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, ...)") as unknown as (...args: unknown[]) => number;

const I32: CInt = { kind: "int", bits: 32, signed: true };
const U32: CInt = { kind: "int", bits: 32, signed: false };
const I64: CInt = { kind: "int", bits: 64, signed: true };
const U64: CInt = { kind: "int", bits: 64, signed: false };
const STR: CType = { kind: "str", length: 64 };

/** What glibc prints for `format` with one argument of `type` (the C type names koffi passes it as). */
function c(format: string, type: CType, value: number | bigint | string): string {
  const buf = Buffer.alloc(256);
  const cType = type.kind === "str" ? "const char *" : (type as CInt).bits === 64 ? ((type as CInt).signed ? "int64_t" : "uint64_t") : (type as CInt).signed ? "int32_t" : "uint32_t";
  const n = snprintf(buf, buf.length, format, cType, value);
  return buf.subarray(0, n).toString("utf8");
}

const INTEGER_FORMATS = ["%d", "%i", "%u", "%x", "%X", "%o", "%5d", "%-5d|", "%05d", "%+d", "% d", "%#x", "%#o", "%.3d", "%8.3x", "%-+6d|", "%c", "%0-4d|", "%.0d"];
const VALUES: [CInt, (number | bigint)[]][] = [
  [I32, [0, 1, -1, 42, -300, 2147483647, -2147483648, 65]],
  [U32, [0, 1, 255, 4294967295, 2147483648, 97]],
];
const WIDE_FORMATS = ["%lld", "%llu", "%llx", "%20lld|", "%-20llu|", "%#llo"];
const WIDE: [CInt, bigint[]][] = [
  [I64, [0n, -1n, 9223372036854775807n, -9223372036854775808n, 123456789012n]],
  [U64, [0n, 18446744073709551615n, 1n << 63n]],
];

// %c of a byte past ASCII is a raw byte in C, a character in JavaScript: ASCII only.
const printable = (f: string, v: number | bigint) => f !== "%c" || (v >= 32 && v < 127);

test.each(VALUES.flatMap(([type, values]) => INTEGER_FORMATS.flatMap((f) => values.filter((v) => printable(f, v)).map((v) => [f, type, v] as const))))("%s of %j %p prints what C prints", (format, type, value) => {
  expect(compileFormat(format, [type])([value])).toBe(c(format, type, value));
});

test.each(WIDE.flatMap(([type, values]) => WIDE_FORMATS.flatMap((f) => values.map((v) => [f, type, v] as const))))("%s of a 64-bit %p prints what C prints", (format, type, value) => {
  expect(compileFormat(format, [type])([value])).toBe(c(format, type, value));
});

test.each(["%s", "%10s|", "%-10s|", "%.3s|", "%8.2s|"])("%s of a string prints what C prints", (format) => {
  for (const s of ["", "bash", "a longer string than ten"]) expect(compileFormat(format, [STR])([s])).toBe(c(format, STR, s));
});

test("%p, %% and text around conversions", () => {
  expect(compileFormat("at %p (%d%%)\n", [U64, I32])([0xffff8880deadbeefn, 50])).toBe("at 0xffff8880deadbeef (50%)\n");
  expect(compileFormat("%p", [U64])([0n])).toBe("(nil)");
});
