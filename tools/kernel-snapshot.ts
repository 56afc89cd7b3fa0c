// Writes stdlib/kernel/tracepoints.d.ts: every tracepoint record of the kernel this runs on, for
// editors on machines without tracefs (macOS, a container): `ctx` in a tracepoint handler is
// typed there as the compiler types it here. The compiler never reads the snapshot: it reads the
// formats of the running kernel (D129). Usage: npm run snapshot:kernel (as root, on Linux).

import { join } from "node:path";
import { allTracepointDeclarations } from "../compiler/kernel/kernel-declarations.js";
import { packageRoot } from "../contract/paths.js";
import { writeGenerated } from "./write-generated.js";

const records = allTracepointDeclarations();
if (!records) {
  process.stderr.write("no readable tracefs here: run as root on Linux, with tracefs mounted\n");
  process.exit(1);
}
const header = `// A snapshot for editors, not read by the compiler: regenerate with \`npm run snapshot:kernel\`.\n`;
writeGenerated(join(packageRoot, "stdlib", "kernel", "tracepoints.d.ts"), header + records.text);
