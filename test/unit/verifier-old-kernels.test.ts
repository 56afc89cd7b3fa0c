// Refusals only an older kernel than this machine's gives, classified from their verifier logs as
// those kernels word them (kernel/bpf/verifier.c of the release named): a kernel too old for a
// helper or an instruction says which feature and which release brought it.
import { verifierError } from "../../runtime/verifier/verifier-error.js";

/** A log's last lines as the verifier ends it on a refusal at instruction 12. */
const logEnding = (words: string) => `func#0 @0\n0: R1=ctx() R10=fp0\n; printk("x")\n12: (85) call unknown#0\n${words}\nprocessed 13 insns (limit 1000000)\n`;

test.each([
  ["a kernel without bpf_trace_vprintk", "invalid func unknown#177", /bpf_trace_vprintk \(helper 177\) came with Linux 5\.16/],
  ["a kernel without bpf_get_stack", "invalid func unknown#67", /bpf_get_stack \(helper 67\) came with Linux 4\.18/],
])("%s: TSB3011 with the feature and its release", (_kernel, words, why) => {
  const e = verifierError("p", "/probe.ts", logEnding(words));
  expect(e.code).toBe("TSB3011");
  expect(e.format()).toMatch(why);
});
