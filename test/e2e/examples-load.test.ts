// Every bundled example compiles and passes the kernel verifier (loaded, not attached).
import { readdirSync } from "node:fs";
import { open } from "../../runtime/index.js";
import { repo } from "../helpers/tsbpf-command.js";

const examples = readdirSync(repo("examples")).filter((f) => f.endsWith(".ts"));

test.each(examples)("%s loads", async (name) => {
  const probe = await open(repo("examples", name), { cache: false });
  try {
    expect(probe.programs.length).toBeGreaterThan(0);
    // Without its BTF the verifier's messages would lose their TypeScript lines.
    expect(probe.kernelBtf).toBe(true);
  } finally {
    probe.close();
  }
});
