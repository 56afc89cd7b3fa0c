// xdp programs attach to a network interface, which `tsbpf run` does not choose yet;
// Probe.testRun() runs them on a packet.

import type { ProgramAttacher } from "./program-attacher.js";

export const xdpAttacher: ProgramAttacher = {
  kind: "xdp",
  waitsFor: "a network interface, which tsbpf cannot attach to yet (the runtime's testRun() runs it on a packet)",
};
