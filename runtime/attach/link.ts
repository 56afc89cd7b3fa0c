// An attachment. Links live in this process's file table: if the process dies, the kernel
// detaches them, so nothing stays attached by accident. `destroy` detaches at once.

import { libbpf } from "../libbpf.js";

export interface Link {
  readonly description: string;
  destroy(): void;
}

export function ownLink(handle: bigint, description: string): Link {
  let live = true;
  return {
    description,
    destroy() {
      if (!live) return;
      live = false;
      libbpf().linkDestroy(handle);
    },
  };
}
