// Names in user stacks as their languages spell them (D168): C++ through libstdc++'s
// __cxa_demangle, Rust's legacy names cleaned as rustfilt cleans them, Rust's v0 names read as
// c++filt reads them (D178, test/unit/rust-v0-demangle.test.ts), C names as they are, and without
// the C++ runtime, every C++ name as it is, not a crash.
import { spawnSync } from "node:child_process";
import { demangle } from "../../runtime/output/demangle.js";
import { repo } from "../helpers/tsbpf-command.js";

test("C++ names: functions, members, templates, operators", () => {
  expect(demangle("_ZN2ns5Klass6methodEi")).toBe("ns::Klass::method(int)");
  expect(demangle("_Z3addii")).toBe("add(int, int)");
  expect(demangle("_ZNSt6vectorIiSaIiEE9push_backEOi")).toBe("std::vector<int, std::allocator<int> >::push_back(int&&)");
  expect(demangle("_ZN2ns5KlassC2Ev")).toBe("ns::Klass::Klass()");
  expect(demangle("_ZN2ns5Klass6methodEi.cold")).toBe("ns::Klass::method(int) [clone .cold]");
});

test("Rust legacy names: the hash dropped and the escapes read, as rustfilt does", () => {
  expect(demangle("_ZN3std2rt10lang_start17h0123456789abcdefE")).toBe("std::rt::lang_start");
  expect(demangle("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$closure$u7d$$u7d$$GT$17h8b5b3d8d3b3f7f05E")).toBe("core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>");
  expect(demangle("_ZN5hello4main17h5d3a3b0f4e1c2d3bE")).toBe("hello::main");
  expect(demangle("_ZN60_$LT$alloc..string..String$u20$as$u20$core..fmt..Display$GT$3fmt17h6f5b5c8e0f4d2a1bE")).toBe("<alloc::string::String as core::fmt::Display>::fmt");
});

test("Rust v0 names, with their crates' disambiguators as c++filt shows them", () => {
  expect(demangle("_RNvCs1234_5hello4main")).toBe("hello[3c1c0]::main");
  expect(demangle("_RNvMNtCs1234_7mycrate5shapeNtB2_6Circle4area")).toBe("<mycrate[3c1c0]::shape::Circle>::area");
});

test("names that are not mangled, or not validly, stay as they are", () => {
  for (const name of ["main", "spin", "_RNvCs1234_5hello", "_Rfoo", "_Zfoo", "__libc_start_main", "_start"]) expect(demangle(name)).toBe(name);
});

test("without the C++ runtime's library, C++ names stay mangled, v0 names (read by our own code) are still read, and nothing fails", () => {
  const script = `const { demangle } = require(${JSON.stringify(repo("dist/runtime/output/demangle.js"))}); console.log(demangle("_ZN2ns5Klass6methodEi")); console.log(demangle("main")); console.log(demangle("_RNvC5hello4main"));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TSBPF_LIBSTDCXX: "/nonexistent/libstdc++.so.6" } });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.stdout).toBe("_ZN2ns5Klass6methodEi\nmain\nhello[0]::main\n");
});
