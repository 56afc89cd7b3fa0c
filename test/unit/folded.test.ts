// A frame as folded output writes it: one field of `outer;…;inner count` whatever its name holds.
import { folded, foldedText } from "../../runtime/output/folded.js";
import { demangle } from "../../runtime/output/demangle.js";

test("a demangled Rust name with an array type stays one frame: its `;` becomes `:` (as inferno writes it)", () => {
  // core::ptr::drop_in_place::<[u8; 4]>, v0-mangled.
  const name = demangle("_RINvNtCs1234_4core3ptr13drop_in_placeAhj4_EB4_");
  expect(name).toContain("; ");
  const frame = folded(`${name}+12`);
  expect(frame).not.toContain(";");
  expect(frame).toBe(name.replace(/;/g, ":"));
  expect(foldedText([{ frames: ["main", frame], count: 3 }])).toBe(`main;${frame} 3\n`);
});

test("offsets go and unnamed frames are their module's, as stackcollapse-perf.pl folds perf's", () => {
  expect(folded("do_syscall_64+92")).toBe("do_syscall_64");
  expect(folded("0x7f00aa10 (/usr/lib/x86_64-linux-gnu/libc.so.6)")).toBe("[libc.so.6]");
  expect(folded("0x55aa0010 ([unknown])")).toBe("[unknown]");
});
