// BPF helper functions by number (include/uapi/linux/bpf.h, `___BPF_FUNC_MAPPER`): the compiler
// calls helpers by these numbers, and `tsbpf inspect` names the calls it disassembles with them
// (`mapLookupElem` is `bpf_map_lookup_elem`).
export const Helper = {
  mapLookupElem: 1,
  mapUpdateElem: 2,
  mapDeleteElem: 3,
  ktimeGetNs: 5,
  tracePrintk: 6,
  getSmpProcessorId: 8,
  getCurrentPidTgid: 14,
  getCurrentUidGid: 15,
  getCurrentComm: 16,
  perfEventOutput: 25,
  getCurrentTask: 35,
  getStackid: 27,
  getStack: 67,
  getCurrentCgroupId: 80,
  probeReadUser: 112,
  probeReadKernel: 113,
  probeReadUserStr: 114,
  probeReadKernelStr: 115,
  ringbufOutput: 130,
  ringbufReserve: 131,
  ringbufSubmit: 132,
  traceVprintk: 177,
  getFuncIp: 173,
  getAttachCookie: 174,
  getFuncRet: 184,
} as const;

/** The Linux release that brought each helper tsbpf calls: an older kernel's "unknown func" is said with it. */
const HELPER_SINCE: { readonly [Name in keyof typeof Helper]: string } = {
  mapLookupElem: "3.19",
  mapUpdateElem: "3.19",
  mapDeleteElem: "3.19",
  ktimeGetNs: "4.1",
  tracePrintk: "4.1",
  getSmpProcessorId: "4.1",
  getCurrentPidTgid: "4.2",
  getCurrentUidGid: "4.2",
  getCurrentComm: "4.2",
  perfEventOutput: "4.4",
  getCurrentTask: "4.8",
  getStackid: "4.6",
  getStack: "4.18",
  getCurrentCgroupId: "4.18",
  probeReadUser: "5.5",
  probeReadKernel: "5.5",
  probeReadUserStr: "5.5",
  probeReadKernelStr: "5.5",
  ringbufOutput: "5.8",
  ringbufReserve: "5.8",
  ringbufSubmit: "5.8",
  traceVprintk: "5.16",
  getFuncIp: "5.15",
  getAttachCookie: "5.15",
  getFuncRet: "5.17",
};

const helperNames = new Map<number, string>(Object.entries(Helper).map(([name, id]) => [id, `bpf_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`]));
const helperSince = new Map<number, string>(Object.entries(Helper).map(([name, id]) => [id, HELPER_SINCE[name as keyof typeof Helper]]));

/** The helper's name as the kernel spells it (`bpf_map_lookup_elem`), or "unknown" as the verifier log says. */
export function helperName(id: number): string {
  return helperNames.get(id) ?? "unknown";
}

/** The Linux release that brought helper `id`, if it is one tsbpf calls. */
export function helperRelease(id: number): string | undefined {
  return helperSince.get(id);
}
