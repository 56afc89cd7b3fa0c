// An attachment. Links live in this process's file table: if the process dies, the kernel
// detaches them, so nothing stays attached by accident; only a pin (pins/pins.ts) keeps one.
// `destroy` detaches at once (or, once pinned, lets go of this process's descriptor).

import { Errno, libbpf } from "../../native/libbpf.js";

export interface Link {
  readonly description: string;
  destroy(): void;
  /** The same on a libuv thread: the kernel's wait in each detach can overlap the others'. */
  destroyAsync(): Promise<void>;
  /** Pins the attachment at `path` on bpffs (it then outlives the process): 0, or -errno. */
  pin(path: string): number;
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
    destroyAsync() {
      if (!live) return Promise.resolve();
      live = false;
      const destroy = libbpf().linkDestroy as unknown as { async(h: bigint, cb: (err: unknown) => void): void };
      return new Promise((resolve, reject) => destroy.async(handle, (err) => (err ? reject(err) : resolve())));
    },
    pin(path) {
      return live ? libbpf().objPin(libbpf().linkFd(handle), path) : -Errno.EBADF;
    },
  };
}

/** Several attachments of one program (a pattern's functions) as one: detached together. */
export function linkGroup(links: readonly Link[], description: string): Link {
  return {
    description,
    destroy: () => links.forEach((l) => l.destroy()),
    destroyAsync: () => Promise.all(links.map((l) => l.destroyAsync())).then(() => undefined),
    // One pin holds one link: a pattern's many are not pinned (tsbpf unpin would find one).
    pin: () => -Errno.EOPNOTSUPP,
  };
}
