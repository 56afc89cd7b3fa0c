// libbpf's USDT ABI (bpf/usdt.bpf.h of libbpf 1.1, the system's; D162), which the compiler's
// argument reads (compiler/kinds/usdt.ts) and the runtime's attach (runtime/attach/usdt.ts) share:
// a program finds how to read its arguments at the call site that fired in `__bpf_usdt_specs`,
// at the index its attach cookie holds. Following it keeps the object a plain libbpf one: a C
// loader's bpf_program__attach_usdt fills the same map the same way.

import type { CInt, CStruct, CType } from "./c-layout.js";

/** The maps, by their names in the object (usdt.bpf.h's; libbpf's attach looks them up by name). */
export const USDT_MAPS = { specs: "__bpf_usdt_specs", ipToSpecId: "__bpf_usdt_ip_to_spec_id" } as const;
/** BPF_USDT_MAX_SPEC_CNT: the distinct call-site specs one object holds. */
export const USDT_MAX_SPECS = 256;
/** BPF_USDT_MAX_ARG_CNT: the most arguments a probe passes that a program reads. */
export const USDT_MAX_ARGS = 12;

/** Where an argument is (enum __bpf_usdt_arg_type, with libbpf's newer BPF_USDT_ARG_SIB as 3). */
export const UsdtArgKind = {
  /** `-4@$5`: `val_off` is the value. */
  constant: 0,
  /** `8@%rax`: the register at `reg_off` in struct pt_regs. */
  register: 1,
  /** `-4@-20(%rbp)`: user memory at the register plus `val_off`. */
  memory: 2,
  /** `-4@8(%rbx,%rcx,4)`: user memory at base + index × scale + `val_off`. */
  indexed: 3,
} as const;

/**
 * `arg_type` is a 32-bit enum in libbpf 1.1; an indexed argument packs its index register and
 * scale into the bits above the kind (what libbpf 1.7 meant its bitfields to hold; its header's
 * layout moved `reg_off`, D162), so that the kinds libbpf 1.1 writes read the same.
 */
export const ARG_TYPE_BITS = { kind: 0xff, indexShift: 8, indexMask: 0xfff, scaleShift: 20, scaleMask: 0xf } as const;

const int = (bits: CInt["bits"], signed: boolean): CInt => ({ kind: "int", bits, signed });

/** struct __bpf_usdt_arg_spec. */
export const USDT_ARG_SPEC: CStruct = {
  kind: "struct",
  name: "__bpf_usdt_arg_spec",
  fields: [
    { name: "val_off", type: int(64, false) },
    { name: "arg_type", type: int(32, false) },
    { name: "reg_off", type: int(16, true) },
    { name: "arg_signed", type: { kind: "bool" } },
    { name: "arg_bitshift", type: int(8, true) },
  ],
};

/** struct __bpf_usdt_spec: a call site's arguments, the USDT cookie, how many arguments. */
export const USDT_SPEC: CStruct = {
  kind: "struct",
  name: "__bpf_usdt_spec",
  fields: [
    { name: "args", type: { kind: "array", elem: USDT_ARG_SPEC, length: USDT_MAX_ARGS } as CType },
    { name: "usdt_cookie", type: int(64, false) },
    { name: "arg_cnt", type: int(16, true) },
  ],
};

/** The index of `name` among the fields of `struct`, for structLayout(struct).offsets. */
export const fieldIndex = (struct: CStruct, name: string): number => struct.fields.findIndex((f) => f.name === name);
