// tracefs holds the tracepoint list and trace_pipe (printk's output). A fresh machine may not
// have it mounted; tsbpf mounts it where the kernel expects it and says so.

import koffi from "koffi";
import { TsbpfError } from "../contract/errors.js";
import { TRACEFS, tracefsRoot } from "../contract/tracefs.js";
import { Errno, lastErrno } from "../native/libbpf.js";
import { privilegeError } from "./privileges.js";

export { TRACEFS } from "../contract/tracefs.js";

/** Where tracefs was found (or mounted): looked for once per process. */
let root: string | undefined;

export function ensureTracefs(): string {
  root ??= findOrMount();
  return root;
}

function findOrMount(): string {
  const found = tracefsRoot();
  if (found) return found;
  const libc = koffi.load("libc.so.6");
  const mount = libc.func("int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)") as unknown as (
    ...a: (string | number | null)[]
  ) => number;
  if (mount("nodev", TRACEFS, "tracefs", 0, null) !== 0) {
    const errno = lastErrno();
    if (errno === Errno.EPERM) throw privilegeError(`mount tracefs at ${TRACEFS}`);
    throw new TsbpfError(`cannot mount tracefs at ${TRACEFS} (errno ${errno})`, {
      subject: "tracefs",
      hint: `mount it yourself: mount -t tracefs nodev ${TRACEFS} (the kernel needs CONFIG_FTRACE)`,
    });
  }
  process.stderr.write(`tsbpf: mounted tracefs at ${TRACEFS}\n`);
  return TRACEFS;
}
