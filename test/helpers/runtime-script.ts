// A Node program that uses the runtime as a user's would, for tests of how it ends: it opens a
// probe, reads its printk lines, attaches it, prints "ready", then does `end` (it has no signal
// handler and calls no close() of its own).
import { repo } from "./tsbpf-command.js";

/** The program's text, for `node -e`; `options` is the source of open()'s second argument. */
export function runtimeScript(probe: string, end: string, options = "{}"): string {
  return [
    `const { open } = require(${JSON.stringify(repo("dist/runtime/index.js"))});`,
    `(async () => {`,
    `  const probe = await open(${JSON.stringify(probe)}, ${options});`,
    `  probe.openTracePipe();`,
    `  probe.attach();`,
    `  console.log("ready");`,
    `  ${end}`,
    `})();`,
  ].join("\n");
}
