// xdp(handler): SEC("xdp"), run for each packet a network driver receives; its result is the
// verdict. Attached to an interface (not yet: runtime/attach/xdp.ts), or test-run on a packet.

import { INT_TYPES } from "../frontend/probe-types.js";
import { NETWORK_HELPERS } from "./helper-sets.js";
import type { ProgramKind } from "./program-kind.js";

const verdict = (value: bigint) => ({ value, type: INT_TYPES.u32 });

export const xdpKind: ProgramKind = {
  name: "xdp",
  target: (_p, _args, declaredAt) => ({ target: "", section: "xdp", node: declaredAt }),
  returns: INT_TYPES.u32,
  helpers: NETWORK_HELPERS,
  context: { type: "XdpContext" },
  // enum xdp_action (include/uapi/linux/bpf.h)
  constants: { XDP_ABORTED: verdict(0n), XDP_DROP: verdict(1n), XDP_PASS: verdict(2n), XDP_TX: verdict(3n), XDP_REDIRECT: verdict(4n) },
};
