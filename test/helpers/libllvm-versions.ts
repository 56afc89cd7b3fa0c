// The libLLVMs the project supports that this machine has, for tests that build with each.
import { existsSync } from "node:fs";
import { join } from "node:path";

export function libLLVMs(): string[] {
  return ["libLLVM-14.so.1", "libLLVM-15.so.1", "libLLVM-16.so.1", "libLLVM-17.so.1", "libLLVM.so.18.1"].filter((l) =>
    ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"].some((d) => existsSync(join(d, l))),
  );
}
