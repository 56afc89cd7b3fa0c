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
  getCurrentCgroupId: 80,
  probeReadUser: 112,
  probeReadKernel: 113,
  probeReadUserStr: 114,
  probeReadKernelStr: 115,
  ringbufReserve: 131,
  ringbufSubmit: 132,
  traceVprintk: 177,
  getFuncIp: 173,
  getFuncRet: 184,
} as const;
