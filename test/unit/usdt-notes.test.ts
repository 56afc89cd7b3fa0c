// A USDT probe's note and argument specs, read without the kernel: every x86-64 operand form
// sys/sdt.h's assembler writes, how each becomes libbpf's struct __bpf_usdt_arg_spec, and notes
// cut or corrupted anywhere, each a NotElf that names what is wrong, never another exception.
import { NotElf } from "../../runtime/attach/elf-file.js";
import { argSpecFields, describeArgument, parseUsdtArguments } from "../../runtime/attach/usdt-arguments.js";
import { parseNotes } from "../../runtime/attach/usdt-notes.js";
import { X86_64_PT_REGS } from "../../contract/pt-regs.js";
import { USDT_ARG_SPEC, USDT_SPEC, UsdtArgKind } from "../../contract/usdt-spec.js";
import { structLayout } from "../../contract/c-layout.js";

const parsed = (spec: string) => {
  const r = parseUsdtArguments(spec);
  if ("problem" in r) throw new Error(r.problem);
  return r;
};

test("the spec structs are laid out as libbpf 1.1's usdt.bpf.h (clang-14 -target bpf, offsetof and sizeof)", () => {
  expect(structLayout(USDT_ARG_SPEC)).toEqual({ size: 16, align: 8, offsets: [0, 8, 12, 14, 15] });
  expect(structLayout(USDT_SPEC)).toEqual({ size: 208, align: 8, offsets: [0, 192, 200] });
});

describe("argument specs", () => {
  test("each operand form, its size and sign", () => {
    const args = parsed("-4@$-9 8@$0x10 -8@%rax -4@%r12d 1@%sil 2@%cx -4@-1204(%rbp) 8@(%rsp) -4@8(%rbx,%rcx,4) -4@(%r15,%rsi) -8@counter(%rip) 8@tbl+16(%rip)");
    expect(args.map((a) => [a.size, a.signed])).toEqual([[4, true], [8, false], [8, true], [4, true], [1, false], [2, false], [4, true], [8, false], [4, true], [4, true], [8, true], [8, false]]);
    expect(args.map((a) => a.operand)).toEqual([
      { kind: "constant", value: -9n },
      { kind: "constant", value: 16n },
      { kind: "register", register: "ax" },
      { kind: "register", register: "r12" },
      { kind: "register", register: "si" },
      { kind: "register", register: "cx" },
      { kind: "memory", base: "bp", offset: -1204n },
      { kind: "memory", base: "sp", offset: 0n },
      { kind: "memory", base: "bx", offset: 8n, index: { register: "cx", scale: 4 } },
      { kind: "memory", base: "r15", offset: 0n, index: { register: "si", scale: 1 } },
      { kind: "memory", base: "ip", offset: 0n, symbol: "counter" },
      { kind: "memory", base: "ip", offset: 16n, symbol: "tbl" },
    ]);
    expect(args.map(describeArgument).slice(0, 3)).toEqual(["i32 constant -9", "u64 constant 16", "i64 in %rax"]);
    expect(parsed("")).toEqual([]);
  });

  test("as libbpf's arg spec: the kind, the register's offset in pt_regs, the shift that keeps the size", () => {
    const [constant, reg, mem, sib, global] = parsed("-4@$-9 1@%sil -4@-20(%rbp) -4@8(%rbx,%rcx,4) -8@counter(%rip)");
    const at = 0x1000;
    const symbols = (name: string) => (name === "counter" ? 0x4010 : undefined);
    expect(argSpecFields(constant, at, symbols)).toEqual({ val_off: BigInt.asUintN(64, -9n), arg_type: UsdtArgKind.constant, reg_off: 0, arg_signed: true, arg_bitshift: 32 });
    expect(argSpecFields(reg, at, symbols)).toEqual({ val_off: 0n, arg_type: UsdtArgKind.register, reg_off: X86_64_PT_REGS.si, arg_signed: false, arg_bitshift: 56 });
    expect(argSpecFields(mem, at, symbols)).toEqual({ val_off: BigInt.asUintN(64, -20n), arg_type: UsdtArgKind.memory, reg_off: X86_64_PT_REGS.bp, arg_signed: true, arg_bitshift: 32 });
    // The index register's offset and log2 of the scale ride above the kind.
    expect(argSpecFields(sib, at, symbols)).toEqual({ val_off: 8n, arg_type: UsdtArgKind.indexed | (X86_64_PT_REGS.cx << 8) | (2 << 20), reg_off: X86_64_PT_REGS.bx, arg_signed: true, arg_bitshift: 32 });
    // A global: the instruction pointer at the probe plus the symbol's distance from it.
    expect(argSpecFields(global, at, symbols)).toEqual({ val_off: 0x3010n, arg_type: UsdtArgKind.memory, reg_off: X86_64_PT_REGS.ip, arg_signed: true, arg_bitshift: 0 });
    expect(argSpecFields(global, at, () => undefined)).toEqual({ problem: "reads the global 'counter', which the binary's symbol tables do not name (is it stripped?)" });
  });

  test("what tsbpf cannot read says which argument and why", () => {
    expect(parseUsdtArguments("8@%rax 3@%rbx")).toEqual({ problem: "argument 1 ('3@%rbx') has a size of 3 bytes (1, 2, 4 or 8 are read)" });
    expect(parseUsdtArguments("-1@%ah")).toEqual({ problem: expect.stringMatching(/^argument 0 \('-1@%ah'\) names register %ah, which tsbpf does not read/) });
    expect(parseUsdtArguments("8@%xmm0")).toEqual({ problem: expect.stringMatching(/names register %xmm0/) });
    expect(parseUsdtArguments("4@counter(%rax)")).toEqual({ problem: expect.stringMatching(/reads a global \('counter'\) relative to %rax: tsbpf finds globals relative to %rip only/) });
    expect(parseUsdtArguments("8@rax")).toEqual({ problem: expect.stringMatching(/is an operand tsbpf does not read/) });
    expect(parseUsdtArguments("8@(%rax,%rbx,3)")).toEqual({ problem: expect.stringMatching(/is an operand tsbpf does not read/) });
    expect(parseUsdtArguments("%rax")).toEqual({ problem: "argument 0 ('%rax') is not size@operand" });
  });
});

/** A stapsdt note: owner "stapsdt", type 3, three addresses and three strings. */
function note(provider: string, name: string, args: string, addresses: [number, number, number] = [0x1000, 0x2000, 0]): Buffer {
  const desc = Buffer.concat([Buffer.alloc(24), Buffer.from(`${provider}\0${name}\0${args}\0`, "latin1")]);
  addresses.forEach((a, i) => desc.writeBigUInt64LE(BigInt(a), i * 8));
  const header = Buffer.alloc(12);
  header.writeUInt32LE(8, 0);
  header.writeUInt32LE(desc.length, 4);
  header.writeUInt32LE(3, 8);
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  return Buffer.concat([header, pad(Buffer.from("stapsdt\0")), pad(desc)]);
}

describe("notes", () => {
  test("probes in order; another owner's note skipped; prelink's move of .stapsdt.base applied", () => {
    const other = Buffer.from(note("x", "y", ""));
    other.write("GNU\0\0\0\0\0", 12, "latin1");
    const data = Buffer.concat([note("python", "line", "8@%r14 -4@%ebp", [0x1000, 0x2000, 0x3000]), other, note("p", "n", "")]);
    expect(parseNotes(data, 0x2100)).toEqual([
      { provider: "python", name: "line", address: 0x1100, semaphore: 0x3100, args: "8@%r14 -4@%ebp" },
      { provider: "p", name: "n", address: 0x1100, semaphore: 0, args: "" },
    ]);
  });

  test("every cut of a note, and every byte of it corrupted, is a NotElf or a probe: never another exception", () => {
    const data = note("python", "function__entry", "8@%rbp 8@%r12 -4@%eax");
    for (let end = 0; end < data.length; end++) {
      try {
        parseNotes(data.subarray(0, end), 0);
      } catch (e) {
        expect(e).toBeInstanceOf(NotElf);
      }
    }
    for (let at = 0; at < data.length; at++)
      for (const byte of [0x00, 0xff, 0x80]) {
        const bad = Buffer.from(data);
        bad[at] = byte;
        try {
          parseNotes(bad, 0);
        } catch (e) {
          expect(e).toBeInstanceOf(NotElf);
        }
      }
  });

  test("the errors say what is wrong", () => {
    const data = note("p", "n", "");
    expect(() => parseNotes(data.subarray(0, 8), 0)).toThrow("the USDT note at byte 0 of .note.stapsdt is cut short (8 bytes where its header needs 12)");
    const noName = note("p", "", "");
    expect(() => parseNotes(noName, 0)).toThrow("the USDT note at byte 0 of .note.stapsdt (provider 'p') has no probe name");
    const short = Buffer.from(data);
    short.writeUInt32LE(10, 4);
    expect(() => parseNotes(short, 0)).toThrow(/is 10 bytes, too short for its three addresses and three strings/);
  });
});
