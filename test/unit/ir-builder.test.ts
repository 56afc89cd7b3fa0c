// The IR builder prints what LLVM parses, for typed (LLVM 14) and opaque (15+) pointers alike;
// the real libLLVM is the judge.
import { DebugInfo, escapeBytes, mdString } from "../../compiler/ir/debug-info.js";
import { constInt, IRBuilder, IRModule } from "../../compiler/ir/ir-module.js";
import { arrayOf, fnType, i32, i64, i8, ptrTo, structOf, typeText } from "../../compiler/ir/ir-types.js";
import { irToObject, PartsCodegen } from "../../compiler/llvm/codegen.js";
import { linkObjects } from "../../compiler/object-link.js";
import { loadLibLLVM } from "../../compiler/llvm/libllvm.js";

function helloModule(opaquePointers: boolean): { m: IRModule; text: string } {
  const di = new DebugInfo({ fileName: "p.ts", directory: "/src", source: 'printk("hi");\n', producer: "test" });
  const m = new IRModule({ opaquePointers }, di);
  const char = di.basicType("char", 8, "signed_char");
  m.addCString("LICENSE", "GPL", { section: "license", linkage: "dso_local", used: true, dbg: di.globalVariable({ name: "LICENSE", line: 1, type: di.arrayType(char, 4), local: false }) });
  const voidPtr = di.pointerType(null);
  const sp = di.subprogram({ name: "p", line: 1, type: di.subroutineType(di.basicType("int", 32, "signed"), [voidPtr]), params: [{ name: "ctx", type: voidPtr }] });
  const f = m.addFunction({ name: "p", ret: i32, params: [{ name: "ctx", type: ptrTo(i8) }], section: "tracepoint/a/b", dbg: sp });
  const b = new IRBuilder(f);
  b.location = di.location(1, 1, sp);
  const fmt = m.addCString("p.fmt", "hi\n");
  const slot = f.alloca(i64);
  b.store(b.callHelper(5, i64, []), slot);
  b.callHelper(6, i64, [fmt.ptr, constInt(i32, fmt.size), b.load(slot)], true);
  b.ret(constInt(i32, 0));
  return { m, text: m.text() };
}

describe("IR types", () => {
  test("print typed and opaque pointers", () => {
    const t = ptrTo(arrayOf(4, i8));
    expect(typeText(t, { opaquePointers: false })).toBe("[4 x i8]*");
    expect(typeText(t, { opaquePointers: true })).toBe("ptr");
    expect(typeText(ptrTo({ kind: "void" }), { opaquePointers: false })).toBe("i8*");
  });

  test("escape strings as LLVM wants them", () => {
    expect(escapeBytes(Buffer.from('a"\\\n\0'))).toBe("a\\22\\5C\\0A\\00");
    expect(mdString("é")).toBe('"\\C3\\A9"');
  });
});

describe("IR module text", () => {
  test.each([false, true])("opaque pointers = %s: helper calls, sections, debug info", (opaque) => {
    const { text } = helloModule(opaque);
    expect(text).toContain('target triple = "bpf"');
    expect(text).toMatch(/define dso_local i32 @p\(.* %ctx\) #0 section "tracepoint\/a\/b" !dbg !\d+/);
    expect(text).toContain(opaque ? "inttoptr (i64 6 to ptr)" : "inttoptr (i64 6 to i64 (i8*, i32, i64, ...)*)");
    expect(text).toContain('source: "printk(\\22hi\\22);\\0A"');
    expect(text).toMatch(/!DILocalVariable\(name: "ctx", arg: 1/);
    expect(text).toMatch(/alloca i64, align 8\n/);
    expect(text).toContain('@llvm.compiler.used = appending global [2 x');
  });

  test("the module for the running libLLVM compiles to a BPF ELF object", () => {
    const llvm = loadLibLLVM();
    const { text } = helloModule(llvm.opaquePointers);
    const { object } = irToObject(text);
    expect(object.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(object.readUInt16LE(18)).toBe(247); // EM_BPF
    const strtab = object.toString("latin1");
    expect(strtab).toContain("tracepoint/a/b");
    expect(strtab).toContain(".BTF.ext");
  });
});

describe("a module in parts", () => {
  // Two programs; both call `shared` and use `late` (a global reserved before its type's body
  // is known, as a scratch map is); `one` also calls `only`, which has a format string.
  function twoPrograms(opaquePointers: boolean) {
    const di = new DebugInfo({ fileName: "p.ts", directory: "/src", source: "//\n", producer: "test" });
    const m = new IRModule({ opaquePointers }, di);
    const char = di.basicType("char", 8, "signed_char");
    m.addCString("LICENSE", "GPL", { section: "license", linkage: "dso_local", used: true, dbg: di.globalVariable({ name: "LICENSE", line: 1, type: di.arrayType(char, 4), local: false }) });
    const int = di.basicType("int", 32, "signed");
    const i32fn = fnType(i32, []);
    const fn = (name: string, section?: string) => {
      const sp = di.subprogram({ name, line: 1, type: di.subroutineType(int, []), params: [], local: !section });
      const f = m.addFunction({ name, ret: i32, params: [], section, dbg: sp, linkage: section ? "dso_local" : "internal" });
      const b = new IRBuilder(f);
      b.location = di.location(1, 1, sp);
      return { f, b };
    };
    const lateType = m.namedType("late.def");
    const late = m.reserveGlobal("late", lateType);
    const shared = fn("shared");
    shared.b.ret(constInt(i32, 7));
    const only = fn("only");
    const fmt = m.addCString("only.fmt", "x\n");
    only.b.ret(only.b.cast("trunc", only.b.callHelper(6, i64, [fmt.ptr, constInt(i32, fmt.size)], true), i32));
    const address = (b: IRBuilder) => b.cast("trunc", b.cast("ptrtoint", late, i64), i32);
    const one = fn("one", "xdp");
    one.b.ret(one.b.binary("add", one.b.binary("add", one.b.call(i32fn, "@shared", []), one.b.call(i32fn, "@only", [])), address(one.b)));
    const two = fn("two", "xdp");
    two.b.ret(two.b.binary("add", two.b.call(i32fn, "@shared", []), address(two.b)));
    m.namedType("late.def", structOf([i64]));
    m.defineGlobal({ name: "late", type: lateType, init: "zeroinitializer", section: ".data.late", dbg: di.globalVariable({ name: "late", line: 1, type: int, local: false }) });
    return { m, one: one.f, two: two.f };
  }

  test.each([false, true])("opaque pointers = %s: a part has its programs and their callees; the first defines what they share", (opaque) => {
    const { m, one, two } = twoPrograms(opaque);
    const first = m.partText([one]);
    expect(first).toMatch(/define dso_local i32 @one\(/);
    expect(first).not.toMatch(/@two\(/);
    expect(first).toMatch(/define internal i32 @shared\(\) #1/); // called once here: alwaysinline
    expect(first).toMatch(/define internal i32 @only\(\)/);
    expect(first).toMatch(/^@LICENSE = dso_local constant/m);
    expect(first).toMatch(/^@late = dso_local global %late\.def zeroinitializer/m);
    expect(first).toMatch(/^@only\.fmt = internal constant/m); // internal: copied where needed
    const second = m.partText([two]);
    expect(second).not.toMatch(/@only\(/);
    expect(second).not.toMatch(/@LICENSE/); // not used there
    // Used there, defined in the first part: an extern declaration with BTF for the linker.
    const decl = /^@late = external dso_local global %late\.def, !dbg (!\d+)$/m.exec(second);
    expect(decl).not.toBeNull();
    expect(second).toMatch(/!DIGlobalVariable\(name: "late".*isDefinition: false\)/);
  });

  test("the parts, built apart and linked by libbpf, are one object with both programs", async () => {
    const llvm = loadLibLLVM();
    const { m, one, two } = twoPrograms(llvm.opaquePointers);
    const parts = new PartsCodegen();
    parts.add(m.partText([one]));
    parts.add(m.partText([two]));
    const { objects } = await parts.finish();
    expect(objects).toHaveLength(2);
    const object = linkObjects(objects);
    const symbols = object.toString("latin1");
    expect(object.readUInt16LE(18)).toBe(247); // EM_BPF
    // Names in ELF string tables (".BTF.ext" may be the tail of ".rel.BTF.ext").
    for (const name of ["one", "two", ".data.late", "license", ".BTF.ext"]) expect([name, symbols.includes(`${name}\0`)]).toEqual([name, true]);
  });
});
