// Writes the kernel snapshot tsbpf ships for editors (D138): stdlib/kernel/vmlinux.d.ts, the
// kernel's types from its BTF as `tsbpf types` writes them ("tsbpf/kernel" in the editor), and
// stdlib/kernel/tracepoints.d.ts, every tracepoint record (`ctx` in a tracepoint handler). On a
// machine without BTF or tracefs (macOS, a container) the editor types probes from these. The
// compiler never reads them: it reads the running kernel's BTF and formats (D129, D130).
// Usage: npm run snapshot:kernel (as root, on Linux with BTF and tracefs).

import { join } from "node:path";
import { allTracepointDeclarations, kernelTypes, TsbpfError } from "../compiler/btf/kernel-types.js";
import { packageRoot } from "../contract/paths.js";
import { writeGenerated } from "./write-generated.js";

const snapshotDir = join(packageRoot, "stdlib", "kernel");
const header = `// A snapshot for editors, not read by the compiler: regenerate with \`npm run snapshot:kernel\`.\n`;

try {
  const types = kernelTypes();
  writeGenerated(join(snapshotDir, "vmlinux.d.ts"), Buffer.concat([Buffer.from(header), types.bytes]));
} catch (e) {
  if (!(e instanceof TsbpfError)) throw e;
  process.stderr.write(`${e.format()}\n`);
  process.exit(1);
}

const records = allTracepointDeclarations();
if (!records) {
  process.stderr.write("no readable tracefs here: run as root on Linux, with tracefs mounted\n");
  process.exit(1);
}
writeGenerated(join(snapshotDir, "tracepoints.d.ts"), header + records.text);
