// Rust v0 names (`_R…`, D178) read as GNU c++filt 2.40 reads them. A table that covers every
// production of the grammar (hand-built from RFC 2603 and the rustc book, and "rustc:" rows that
// rustc 1.95 made with -C symbol-mangling-version=v0), each row's text checked against ours and,
// at test time, against c++filt's own where c++filt reads the symbol; symbols that are not v0
// names refused, as c++filt refuses them; and mutated symbols (truncated, bytes changed, deep
// back-reference chains, bombs) never throwing, each read within a bound, and read as c++filt
// reads them whenever c++filt reads them.
import { spawnSync } from "node:child_process";
import { demangle } from "../../runtime/output/demangle.js";
import { demangleRustV0, readRustV0 } from "../../runtime/output/rust-v0-demangle.js";

interface Row {
  symbol: string;
  shows: string;
  covers: string;
  /** Why c++filt 2.40 prints something else for this symbol (D178). */
  cxxfiltDiffers?: string;
}

const table: Row[] = [
  { symbol: "_RNvCs1234_7mycrate3foo", shows: "mycrate[3c1c0]::foo", covers: "crate root with a disambiguator (shown in hex, as c++filt shows it), a value's nested path" },
  { symbol: "_RNvC7mycrate3foo", shows: "mycrate[0]::foo", covers: "crate root without a disambiguator: [0]" },
  { symbol: "_RNvNtNtCs1234_7mycrate3foo3bar3baz", shows: "mycrate[3c1c0]::foo::bar::baz", covers: "nested paths, type and value namespaces (the RFC's first example)" },
  { symbol: "_RNvNvMCs1234_7mycrateINtCs1234_7mycrate3FoopE3bar4QUUX", shows: "<mycrate[3c1c0]::Foo<_>>::bar::QUUX", covers: "inherent impl <T>, generic args of a type (no ::), the placeholder type _" },
  { symbol: "_RNvNvXCs1234_7mycrateINtCs1234_7mycrate3FoopENtNtC3std5clone5Clone5clone4QUUX", shows: "<mycrate[3c1c0]::Foo<_> as std[0]::clone::Clone>::clone::QUUX", covers: "trait impl <T as Trait>" },
  { symbol: "_RNvNvXs2_C7mycrateINtC7mycrate3FoopEINtNtC3std7convert4FrompE4from3MSG", shows: "<mycrate[0]::Foo<_> as std[0]::convert::From<_>>::from::MSG", covers: "trait impl whose impl path has a disambiguator (not shown)" },
  { symbol: "_RNvYhNtCs1234_7mycrate5Trait4dflt", shows: "<u8 as mycrate[3c1c0]::Trait>::dflt", covers: "trait definition <T as Trait> (Y)" },
  { symbol: "_RNvYhNtCslKZqGicmFIt_4rich11WithDefault4dfltB5_", shows: "<u8 as rich[fd6d8b6f8042acbb]::WithDefault>::dflt", covers: "rustc: trait definition, instantiating crate as a backref" },
  { symbol: "_RNvXs_CslKZqGicmFIt_4richINtB4_3FooyENtB4_5Speak5speakB4_", shows: "<rich[fd6d8b6f8042acbb]::Foo<u64> as rich[fd6d8b6f8042acbb]::Speak>::speak", covers: "rustc: trait impl of a generic type, backrefs to the crate" },
  { symbol: "_RNvMs8_NtCsjrHSEGnQ3l9_3std4pathNtB5_10Components7as_path", shows: "<std[e28293b1aa0f68bd]::path::Components>::as_path", covers: "rustc: inherent impl with impl-path disambiguator" },
  { symbol: "_RNCNvCs1234_7mycrate4main0", shows: "mycrate[3c1c0]::main::{closure#0}", covers: "closure {closure#0}" },
  { symbol: "_RNCNvCs1234_7mycrate4mains_0", shows: "mycrate[3c1c0]::main::{closure#1}", covers: "closure with disambiguator s_ ({closure#1})" },
  { symbol: "_RNCNvCs1234_7mycrate4mains0_0", shows: "mycrate[3c1c0]::main::{closure#2}", covers: "closure with disambiguator s0_ ({closure#2})" },
  { symbol: "_RNCNKNvNvMNtNtCsjrHSEGnQ3l9_3std4hash6randomNtB8_11RandomState3new4KEYS0s_0CslKZqGicmFIt_4rich", shows: "<std[e28293b1aa0f68bd]::hash::random::RandomState>::new::KEYS::{K#0}::{closure#1}", covers: "rustc: another special namespace ({K#0}) inside a closure, instantiating crate" },
  { symbol: "_RNSNvYNCNvCslKZqGicmFIt_4rich4main0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceTRhEE9call_once6vtableB8_", shows: "<rich[fd6d8b6f8042acbb]::main::{closure#0} as core[c1f1a4ba060b9bfa]::ops::function::FnOnce<(&u8,)>>::call_once::{shim:vtable#0}", covers: "rustc: a shim with a name ({shim:vtable#0}), 1-tuple (T,)" },
  { symbol: "_RNXNvC7mycrate3foos_3bar", shows: "mycrate[0]::foo::{X:bar#1}", covers: "special namespace with a name and a disambiguator ({X:bar#1})" },
  { symbol: "_RNvNvC7mycrate3foo0", shows: "mycrate[0]::foo", covers: "internal namespace with an empty name: nothing shown" },
  { symbol: "_RINvNtC3std3mem4dropINtNtC5alloc3vec3VechEE", shows: "std[0]::mem::drop::<alloc[0]::vec::Vec<u8>>", covers: "generic args of a value (::<…>) holding a type's (<…>)" },
  { symbol: "_RINvC7mycrate3fooL_E", shows: "mycrate[0]::foo::<'_>", covers: "an erased lifetime as a generic argument" },
  { symbol: "_RNvC7mycrate4__foo", shows: "mycrate[0]::_foo", covers: "identifier starting with _: the _ separator after its length" },
  { symbol: "_RNvC7mycrate3_1ab", shows: "mycrate[0]::1ab", covers: "identifier starting with a digit: the _ separator" },
  { symbol: "_RNvNtCslKZqGicmFIt_4richu9gre_6ka8iu9strae_oqa", shows: "rich[fd6d8b6f8042acbb]::größe::straße", covers: "rustc: Punycode identifiers with ASCII parts (größe::straße)" },
  { symbol: "_RNvNtNtCslKZqGicmFIt_4richu9gre_6ka8iu6n84amfu6_2xaedc", shows: "rich[fd6d8b6f8042acbb]::größe::铁锈::ρυστ", covers: "rustc: Punycode identifiers without ASCII parts (铁锈, ρυστ)" },
  { symbol: "_RINvC7mycrate3fooTabcdefhijlmnostuxyzpEE", shows: "mycrate[0]::foo::<(i8, bool, char, f64, str, f32, u8, isize, usize, i32, u32, i128, u128, i16, u16, (), i64, u64, !, _)>", covers: "every basic type, in a tuple" },
  { symbol: "_RINvC7mycrate3fooRL_hQhPhOhAhj4_ShTETtETtmEE", shows: "mycrate[0]::foo::<&u8, &mut u8, *const u8, *mut u8, [u8; 4: usize], [u8], (), (u16,), (u16, u32)>", covers: "&, &mut, *const, *mut, [T; N] (its length typed), [T], (), (T,), (T, U)" },
  { symbol: "_RINvC7mycrate3fooFKCmvEuE", shows: "mycrate[0]::foo::<extern \"C\" fn(u32, ...)>", covers: "fn pointer: extern \"C\", C varargs (...), no return type shown for ()" },
  { symbol: "_RINvC7mycrate3fooFG_RL0_hEuFG0_QL1_hRL0_tEuE", shows: "mycrate[0]::foo::<for<'a> fn(&'a u8), for<'a, 'b> fn(&'a mut u8, &'b u16)>", covers: "binders for<'a> and for<'a, 'b>, lifetimes by de Bruijn index in & and &mut" },
  { symbol: "_RINvC7mycrate3fooFUKCEuFK8C_unwindEuFK21C_cmse_nonsecure_callEuFEzE", shows: "mycrate[0]::foo::<unsafe extern \"C\" fn(), extern \"C-unwind\" fn(), extern \"C-cmse-nonsecure-call\" fn(), fn() -> !>", covers: "unsafe, an ABI by name (its _ read as -), a return type (!)" },
  { symbol: "_RINvC7mycrate3fooFK4a__bEuE", shows: "mycrate[0]::foo::<extern \"a-_b\" fn()>", covers: "an ABI's __ as c++filt 2.40 reads it: the _ after a dash stays" },
  { symbol: "_RINvCslKZqGicmFIt_4rich5typesFK6sysv64fdEbEB2_", shows: "rich[fd6d8b6f8042acbb]::types::<extern \"sysv64\" fn(f32, f64) -> bool>", covers: "rustc: extern \"sysv64\" fn(f32, f64) -> bool" },
  { symbol: "_RINvCslKZqGicmFIt_4rich5typesFG0_RL1_hRL0_tERL1_hEB2_", shows: "rich[fd6d8b6f8042acbb]::types::<for<'a, 'b> fn(&'a u8, &'b u16) -> &'a u8>", covers: "rustc: for<'a, 'b> fn(&'a u8, &'b u16) -> &'a u8" },
  { symbol: "_RINvC7mycrate3fooFG_RL0_DNtC4core3AnyEL0_EuE", shows: "mycrate[0]::foo::<for<'a> fn(&'a dyn core[0]::Any + 'a)>", covers: "dyn with a lifetime bound from the enclosing binder" },
  { symbol: "_RINvC7mycrate3fooDNtC7mycrate1Ap1Xhp1YmNtC4core4SendEL_E", shows: "mycrate[0]::foo::<dyn mycrate[0]::A<X = u8, Y = u32> + core[0]::Send>", covers: "dyn with associated type bindings and a second trait" },
  { symbol: "_RINvC7mycrate3fooINtC7mycrate2FnhEDBf_p6OutputmEL_E", shows: "mycrate[0]::foo::<mycrate[0]::Fn<u8>, dyn mycrate[0]::Fn<u8, Output = u32>>", covers: "dyn whose trait is a backref to a generic path, its <…> kept open for a binding" },
  { symbol: "_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtNtCslNYArtu3iFV_5alloc5boxed3BoxDG_INtNtNtB4_3ops8function2FnTRL0_hEEp6OutputRL0_hNtNtB4_6marker4SyncEL_EECslKZqGicmFIt_4rich", shows: "core[c1f1a4ba060b9bfa]::ptr::drop_in_place::<alloc[fdfd2bd8633a6659]::boxed::Box<dyn for<'a> core[c1f1a4ba060b9bfa]::ops::function::Fn<(&'a u8,), Output = &'a u8> + core[c1f1a4ba060b9bfa]::marker::Sync>>", covers: "rustc: dyn for<'a> Fn<(&'a u8,), Output = &'a u8> + Sync" },
  { symbol: "_RNvXs1g_NtCsgEmfK2I1SDS_4core3fmtRDNtB6_5DebugEL_Bx_3fmtB8_", shows: "<&dyn core[c1f1a4ba060b9bfa]::fmt::Debug as core[c1f1a4ba060b9bfa]::fmt::Debug>::fmt", covers: "rustc: &dyn Debug, a backref to a type" },
  { symbol: "_RINvXNtNtNtNtCsjrHSEGnQ3l9_3std3sys12thread_local6native4lazyzNtB3_14DestroyedState13register_dtorINtNtCsgEmfK2I1SDS_4core4cell4CellTyyEEECslKZqGicmFIt_4rich", shows: "<! as std[e28293b1aa0f68bd]::sys::thread_local::native::lazy::DestroyedState>::register_dtor::<core[c1f1a4ba060b9bfa]::cell::Cell<(u64, u64)>>", covers: "rustc: <! as Trait>, generic args after a trait impl" },
  { symbol: "_RINvCslKZqGicmFIt_4rich4intsKhff_Kan80_Ktffff_Ksn8000_Kmffffffff_Kln80000000_Kyffffffffffffffff_Kxn8000000000000000_Koffffffffffffffffffffffffffffffff_Knn80000000000000000000000000000000_Kj0_Kin1_EB2_", shows: "rich[fd6d8b6f8042acbb]::ints::<255: u8, -128: i8, 65535: u16, -32768: i16, 4294967295: u32, -2147483648: i32, 18446744073709551615: u64, -9223372036854775808: i64, 0xffffffffffffffffffffffffffffffff: u128, -0x80000000000000000000000000000000: i128, 0: usize, -1: isize>", covers: "rustc: integer constants of every type, negative ones", cxxfiltDiffers: "c++filt 2.40 prints a value of more than 16 hex digits one digit late, with its closing _ (0xfff…f_)" },
  { symbol: "_RINvC7mycrate3fooKj0005_Kb0_Kan80_KpE", shows: "mycrate[0]::foo::<5: usize, false: bool, -128: i8, _>", covers: "leading zeros, false, a negative i8, the placeholder const _" },
  { symbol: "_RINvC7mycrate3fooKj5_KBg_E", shows: "mycrate[0]::foo::<5: usize, 5: usize>", covers: "a backref to a const" },
  { symbol: "_RINvCslKZqGicmFIt_4rich4miscKb1_Kc78_EB2_", shows: "rich[fd6d8b6f8042acbb]::misc::<true: bool, 'x': char>", covers: "rustc: bool and char constants" },
  { symbol: "_RINvC7mycrate3fooKc9_Kcd_Kca_Kc20_Kc7e_Kc5c_Kc27_Kc1f980_Kc0_E", shows: "mycrate[0]::foo::<'\\t': char, '\\r': char, '\\n': char, '\\u{20}': char, '\\u{7e}': char, '\\': char, ''': char, '\\u{1f980}': char, '\\u{0}': char>", covers: "chars as c++filt escapes them: \\t \\r \\n, space and ~ as \\u{…}, \\ and ' as they are, non-ASCII as \\u{…}" },
  { symbol: "_RINvCslKZqGicmFIt_4rich1sKRe68692022712220c3bc_EB2_", shows: "rich[fd6d8b6f8042acbb]::s::<\"hi \\\"q\\\" \\u{fc}\">", covers: "rustc: a &str constant", cxxfiltDiffers: "c++filt 2.40 reads no str constant" },
  { symbol: "_RINvC7mycrate3fooKe616263_E", shows: "mycrate[0]::foo::<{*\"abc\"}>", covers: "a str constant (*\"…\")", cxxfiltDiffers: "c++filt 2.40 reads no str constant" },
  { symbol: "_RINvCslKZqGicmFIt_4rich3arrKAh1_h2_h3_EKTh7_c71_b0_EKRAt5_t6_EEB2_", shows: "rich[fd6d8b6f8042acbb]::arr::<{[1, 2, 3]}, {(7, 'q', false)}, {&[5, 6]}>", covers: "rustc: array, tuple and reference constants", cxxfiltDiffers: "c++filt 2.40 reads no array, tuple or reference constant" },
  { symbol: "_RINvC7mycrate3fooKQAh1_EKTh7_EKTEE", shows: "mycrate[0]::foo::<{&mut [1]}, {(7,)}, {()}>", covers: "&mut constant, a 1-tuple (x,), the unit ()", cxxfiltDiffers: "c++filt 2.40 reads no reference or tuple constant" },
  { symbol: "_RINvCslKZqGicmFIt_4rich3adtKVNtB2_2PtS1xm1_1yan2_EKVNtB2_3TupTh9_b1_EKVNtNtB2_2En4UnitUEB2_", shows: "rich[fd6d8b6f8042acbb]::adt::<{rich[fd6d8b6f8042acbb]::Pt { x: 1, y: -2 }}, {rich[fd6d8b6f8042acbb]::Tup(9, true)}, {rich[fd6d8b6f8042acbb]::En::Unit}>", covers: "rustc: struct, tuple struct and unit variant constants", cxxfiltDiffers: "c++filt 2.40 reads no struct or enum constant" },
  { symbol: "_RINvC7mycrate3fooKVNtC7mycrate1SSs_1xRe61_EKVNtC7mycrate1SSEE", shows: "mycrate[0]::foo::<{mycrate[0]::S { x: \"a\" }}, {mycrate[0]::S {}}>", covers: "a field with a disambiguator, a struct with no fields", cxxfiltDiffers: "c++filt 2.40 reads no struct or enum constant" },
  { symbol: "_RNvC7mycrate3foo.llvm.1234567", shows: "mycrate[0]::foo", covers: "an LLVM suffix, dropped" },
  { symbol: "_RNvC7mycrate3foo.cold.1", shows: "mycrate[0]::foo", covers: "a .cold clone's suffix, dropped" },
  { symbol: "_RNvC7mycrate3foo$tail", shows: "mycrate[0]::foo", covers: "a vendor suffix starting with $, dropped", cxxfiltDiffers: "c++filt 2.40 reads no $ suffix" },
  { symbol: "_RINvC7mycrate3foohEC7mycrate", shows: "mycrate[0]::foo::<u8>", covers: "instantiating crate (not shown)" },
  { symbol: "_RINvCsdavWBDw0Y6x_3dep7genericmECslKZqGicmFIt_4rich", shows: "dep[9964fcfebc22aae7]::generic::<u32>", covers: "rustc: a generic of another crate instantiated in this one" },
  { symbol: "_RINvMs0_NtNtNtNtCsjrHSEGnQ3l9_3std3sys12thread_local6native4lazyINtB6_7StorageINtNtCsgEmfK2I1SDS_4core4cell4CellTyyEEzE11get_or_initNvNvNvMNtNtBe_4hash6randomNtB2d_11RandomState3new4KEYS27___rust_std_internal_init_fnECslKZqGicmFIt_4rich", shows: "<std[e28293b1aa0f68bd]::sys::thread_local::native::lazy::Storage<core[c1f1a4ba060b9bfa]::cell::Cell<(u64, u64)>, !>>::get_or_init::<<std[e28293b1aa0f68bd]::hash::random::RandomState>::new::KEYS::__rust_std_internal_init_fn>", covers: "rustc: a long name, many backrefs" },
];

/** Symbols that are not v0 names, or not valid ones: each stays as it is. */
const refused: [symbol: string, why: string][] = [
  ["_R", "nothing after _R"],
  ["_RN", "truncated"],
  ["_RNvC7mycrate", "truncated after the crate"],
  ["_RNvC7mycrate3fo", "an identifier longer than what is left"],
  ["_Rnvc3foo3bar", "a path starts with an uppercase tag"],
  ["_R0NvC3foo3bar", "an encoding version other than v0's"],
  ["_RNvC3foo3barX", "trailing bytes that are no instantiating crate"],
  ["_RNvB_3foo", "a back-reference to itself (a recursion bomb)"],
  ["_RNvBzzzzzzzzzz_3foo", "a back-reference past the end"],
  ["_RN1C3foo3bar", "a namespace that is not a letter"],
  ["_RINvC3foo3barh", "generic arguments without their E"],
  ["_RINvC3foo3barKb2_E", "a bool that is 2"],
  ["_RINvC3foo3barKb_E", "a bool without a digit"],
  ["_RINvC3foo3barKc123456789_E", "a char of 9 hex digits"],
  ["_RINvC3foo3barKc_E", "a char without digits"],
  ["_RINvC3foo3barKj_E", "an integer without digits"],
  ["_RINvC3foo3barKjg_E", "an integer with a digit that is not hex"],
  ["_RINvC3foo3barKwE", "a constant of no known type"],
  ["_RINvC3foo3barKRe616_E", "a str of an odd number of hex digits"],
  ["_RINvC3foo3barKRec3_E", "a str that is not UTF-8"],
  ["_RINvC3foo3barDNtC3foo3BazEE", "a dyn without its lifetime"],
  ["_RINvC3foo3barFKu3abcEuE", "an ABI in Punycode"],
  ["_RINvC3foo3barFK0EuE", "an empty ABI"],
  ["_RINvC3foo3barWhE", "a type tag v0 does not define"],
  ["_RNvC3foou5abc_A", "Punycode with a digit that is not base 36"],
  ["_RNvC3foou4abc_", "Punycode with nothing after its separator"],
  ["_RNvC3foou209999999999999999999a", "Punycode whose delta overflows"],
  ["_RNvC3foou1099999999a", "Punycode whose delta does not end"],
];

/** Bad Punycode, refused, where c++filt 2.40 prints bytes that are not UTF-8 (it does not check the code points it decodes) or nothing (for deltas that end mid-number). */
const badPunycode: [symbol: string, why: string][] = [
  ["_RNvC3foou4ib9b", "U+D800, a surrogate"],
  ["_RNvC3foou7a_h023q", "beyond U+10FFFF"],
  ["_RNvC3foou4ab_9", "a delta that ends mid-number"],
];

/** c++filt's lines for `names`: one spawn, every name on stdin. */
function cxxfilt(names: string[]): string[] {
  const r = spawnSync("c++filt", { input: names.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30, timeout: 60_000 });
  if (r.error || r.status !== 0) throw new Error(`c++filt failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.split("\n").slice(0, names.length);
}

const cxxfiltHere = spawnSync("c++filt", ["--version"]).status === 0;
if (!cxxfiltHere) console.warn("c++filt (GNU binutils) is not installed: the comparisons with it are skipped");
const withCxxfilt = cxxfiltHere ? test : test.skip;

test("every row of the table reads as it shows", () => {
  for (const row of table) expect({ symbol: row.symbol, name: demangleRustV0(row.symbol) }).toEqual({ symbol: row.symbol, name: row.shows });
});

test("demangle() prints v0 names read, and leaves the others as they are", () => {
  expect(demangle("_RNvCs1234_7mycrate3foo")).toBe("mycrate[3c1c0]::foo");
  for (const [symbol] of refused) expect(demangle(symbol)).toBe(symbol);
  for (const [symbol] of badPunycode) {
    expect(readRustV0(symbol)).toEqual({ refused: "bad punycode" });
    expect(demangle(symbol)).toBe(symbol);
  }
});

withCxxfilt("c++filt reads each row as the table shows it, and refuses what we refuse", () => {
  const names = [...table.map((r) => r.symbol), ...refused.map(([s]) => s)];
  const lines = cxxfilt(names);
  table.forEach((row, i) => {
    if (!row.cxxfiltDiffers) expect({ symbol: row.symbol, cxxfilt: lines[i] }).toEqual({ symbol: row.symbol, cxxfilt: row.shows });
  });
  refused.forEach(([symbol], i) => expect(lines[table.length + i]).toBe(symbol));
});

// The mutants: from every row, each truncation and seeded random edits; chains of
// back-references around the depth c++filt allows; and bombs that would print gigabytes.

/** mulberry32: the same mutants on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The characters of v0 symbols: a mutant stays one token for c++filt. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
const BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A back-reference to `position` (after `_R`). */
function backref(position: number): string {
  if (position === 0) return "B_";
  let n = position - 1;
  let digits = "";
  do {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  return `B${digits}_`;
}

/** A back-reference to `position` (1 or more) five characters wide (a base-62 number may start with zeros), so that positions are known before the text around them. */
function fixedBackref(position: number): string {
  return `B${backref(position).slice(1, -1).padStart(3, "0")}_`;
}

/**
 * A chain of `links` nodes, each a back-reference to the one before, kept in the symbol as its
 * instantiating crate (`INvC3foo3bar…E`, read but not followed); the name itself (`top`) enters
 * the chain at its last node, so that the depth grows with the chain while the name stays short.
 */
function chained(top: (entry: string) => string, first: string, firstAt: number, link: (back: string) => string, linkAt: number, links: number): string {
  const start = top(fixedBackref(1)).length;
  let crate = `INvC3foo3bar${first}`;
  let previous = start + crate.length - first.length + firstAt;
  for (let i = 0; i < links; i++) {
    const at = start + crate.length + linkAt;
    crate += link(fixedBackref(previous));
    previous = at;
  }
  return `_R${top(fixedBackref(previous))}${crate}E`;
}

function mutants(): string[] {
  const next = random(0x5eed);
  const pick = (s: string) => s[Math.floor(next() * s.length)];
  const out: string[] = [];
  for (const { symbol } of table) {
    const body = symbol.replace(/[.$].*/, "");
    for (let n = 3; n < body.length; n++) out.push(body.slice(0, n));
    for (let k = 0; k < 200; k++) {
      const at = 2 + Math.floor(next() * (body.length - 2));
      const edit = k % 4;
      if (edit === 0) out.push(body.slice(0, at) + pick(ALPHABET) + body.slice(at + 1)); // a byte changed
      else if (edit === 1) out.push(body.slice(0, at) + pick(ALPHABET) + body.slice(at)); // one inserted
      else if (edit === 2) out.push(body.slice(0, at) + body.slice(at + 1)); // one removed
      else out.push(body.slice(0, at) + backref(Math.floor(next() * (body.length - 2))) + body.slice(at)); // a back-reference anywhere, forwards too
    }
  }
  for (const links of [100, 505, 506, 507, 508, 509, 510, 511, 512, 513, 514, 515, 2000]) {
    out.push(chained((entry) => entry, "NvC3foo1a", 0, (back) => `Nv${back}1a`, 0, links)); // paths
    out.push(chained((entry) => `INvC3foo3bar${entry}E`, "h", 0, (back) => `T${back}E`, 0, links)); // types
  }
  for (const links of [100, 1015, 1016, 1017, 1018, 1019, 1020, 1021, 1022, 1023, 1024, 1025, 2000]) {
    out.push(chained((entry) => `INvC3foo3barK${entry}E`, "Kj1_", 1, (back) => `K${back}`, 1, links)); // constants
  }
  out.push("_RNvB_3foo", "_RINvC3foo3barTB8_EE", "_RINvC3foo3barB9_E", "_RINvC3foo3barKBa_E");
  return out;
}

/** Tuples each holding the one before twice: 2^levels of output from a few hundred bytes. */
function doublingBomb(levels: number): string {
  let body = "INvC3foo3barh";
  let previous = body.length - 1;
  for (let i = 0; i < levels; i++) {
    const at = body.length;
    body += `T${backref(previous)}${backref(previous)}E`;
    previous = at;
  }
  return `_R${body}E`;
}

test("mutated symbols: never a throw, a bounded time each, a bounded name", () => {
  // Beside the mutants, what c++filt cannot be given: a bomb, and binders of 62^10 lifetimes, printed and in the unprinted instantiating crate.
  const bombs = [doublingBomb(40), doublingBomb(64), "_RINvC3foo3barFGzzzzzzzzzz_EuE", "_RNvC3foo3barINvC3baz3quxFGzzzzzzzzzz_EuE"];
  const names = [...mutants(), ...bombs];
  let slowest = 0;
  const started = performance.now();
  for (const name of names) {
    const t = performance.now();
    const reading = readRustV0(name); // a throw fails the test
    slowest = Math.max(slowest, performance.now() - t);
    if ("name" in reading) expect(reading.name.length).toBeLessThanOrEqual(1 << 16);
  }
  expect(slowest).toBeLessThan(250);
  expect(performance.now() - started).toBeLessThan(20_000);
  expect(readRustV0(doublingBomb(40))).toEqual({ refused: "too long" });
  expect(readRustV0("_RINvC3foo3barFGzzzzzzzzzz_EuE")).toEqual({ refused: "too long" });
  expect(demangleRustV0("_RNvC3foo3barINvC3baz3quxFGzzzzzzzzzz_EuE")).toBe("foo[0]::bar");
});

withCxxfilt("mutated symbols read as c++filt reads them, whenever c++filt reads them", () => {
  // Those that grow too long for us are left out: c++filt would print them, gigabytes long.
  const names = [...new Set(mutants())].filter((n) => n.startsWith("_R") && refusal(n) !== "too long");
  const lines = cxxfilt(names);
  let compared = 0;
  let deepRefusedByBoth = 0;
  names.forEach((name, i) => {
    const theirs = lines[i];
    if (theirs === name) {
      const why = refusal(name);
      if (why === "too deep") deepRefusedByBoth++;
      // We read what c++filt refuses only where there is a constant c++filt 2.40 does not read (str, &, [..], (..), a struct).
      if (why === undefined) expect(name).toMatch(/K[eRQATV]/);
      return;
    }
    // Where c++filt prints a u128's hex digits one place late (D178), or bad Punycode as nothing or as bytes that are not UTF-8, we differ on purpose.
    if (/0x[0-9a-f]*_: /.test(theirs) || refusal(name) === "bad punycode") return;
    compared++;
    expect({ name, ours: demangleRustV0(name) }).toEqual({ name, ours: theirs });
  });
  expect(compared).toBeGreaterThan(2000);
  expect(deepRefusedByBoth).toBeGreaterThan(0);
});

function refusal(name: string): string | undefined {
  const reading = readRustV0(name);
  return "refused" in reading ? reading.refused : undefined;
}
