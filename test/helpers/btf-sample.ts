// The small kernel of the BTF tests (test/unit/btf.test.ts, btf-declarations-wasm.test.ts). Its
// type ids are written in the tests that read it (btf.test.ts changes words of given types): add
// types at its end only.
import { BtfBuilder } from "./btf-builder.js";

/** A small kernel: what the generator has to get right, each at least once. */
export function sample(): BtfBuilder {
  const b = new BtfBuilder();
  const int = b.int("int", 4, true); // 1
  const uchar = b.int("unsigned char", 1); // 2
  const char = b.int("char", 1, true); // 3
  const bool = b.int("_Bool", 1, false, true); // 4
  const ulong = b.int("long unsigned int", 8); // 5
  const u8 = b.typedef("u8", uchar);
  b.typedef("__u8", uchar);
  const name16 = b.array(char, 16, int);
  const inner = b.struct("", 8, [["a", int, 0], ["b", int, 32]]); // anonymous: named by its field
  const anonUnion = b.struct("", 8, [["hash", ulong, 0], ["len", int, 0]], true); // C11 anonymous member
  const fnProto = b.add("funcProto", "", 1, int, [b.str("x"), int]);
  const foo = b.struct("foo", 64, [
    ["id", int, 0],
    ["flag", uchar, 32, 1],
    ["mode", uchar, 33, 3],
    ["", anonUnion, 64],
    ["pair", inner, 128],
    ["name", name16, 192],
    ["self", b.ptr(0), 320],
    ["ok", bool, 384],
    ["cb", b.ptr(fnProto), 448],
  ]);
  b.typedef("foo", foo); // typedef struct foo foo: nothing to declare
  b.typedef("foo_t", foo);
  b.struct("string", 4, [["x", int, 0]]); // a name TypeScript refuses for an interface
  b.typedef("number", int);
  b.struct("dup", 4, [["x", int, 0]]);
  b.struct("dup", 8, [["y", ulong, 0]]); // a second struct of the same name (BTF has such)
  b.add("fwd", "opaque", 0, 0);
  b.add("fwd", "foo", 0, 0); // a forward declaration of a defined struct: that struct
  b.enum("state", 4, [["STATE_ON", 1], ["STATE_OFF", 0], ["STATE_ERR", -1]], true);
  b.enum("", 4, [["FLAG_A", 1], ["FLAG_B", 2], ["state", 3]]); // `state` is taken by the enum
  b.add("enum64", "big", 2, 8, [b.str("BIG_MAX"), 0xffffffff, 0xffffffff, b.str("BIG_ONE"), 1, 0]);
  b.typedef("pfoo", b.ptr(b.add("const", "", 0, foo)));
  b.func("open_foo", b.ptr(foo), [["new", u8], ["", int], ["name", b.ptr(char)]]);
  b.func("log_foo", 0, [["fmt", b.ptr(char)], ["", 0]]);
  b.func("in", int, []); // a reserved word as a function's name
  b.add("float", "double", 0, 8);
  return b;
}
