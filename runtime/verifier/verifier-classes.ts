// The kernel verifier's refusals that people meet, in one table: how each shows in the log, a
// stable code, what it means in the probe's terms, and what to do. A log is matched against the
// entries in order; the first whose pattern matches the verifier's last words (or, failing that,
// anywhere in the log) names the class. docs/language.md renders this table beside the
// compiler's codes (`npm run docs:codes`), and test/e2e/verifier-corpus.test.ts has a program
// that the kernel rejects (or the compiler refuses first) for each class.

import { helperName, helperRelease } from "../../contract/helper-ids.js";
import type { VerifierLog } from "./verifier-log.js";

export interface VerifierClass {
  code: string;
  /** What the kernel refused, as the docs' table says it. */
  refuses: string;
  /** The verifier's words for it (`R1 invalid mem access 'map_value_or_null'`). */
  patterns: readonly RegExp[];
  /** Plain words: what in the probe made the verifier say it. */
  explain(log: VerifierLog, m: RegExpExecArray): string;
  /** What to do about it. */
  hint: string;
  /** The log line whose probe line is to blame, when it is not the failing instruction's (the first that matches). */
  blame?: RegExp;
}

const thousands = (n: number) => n.toLocaleString("en-US");

export const VERIFIER_CLASSES = [
  {
    code: "TSB3001",
    refuses: "a map value (or another maybe-null pointer) used before it was checked",
    patterns: [/invalid mem access '(\w*_or_null)'/, /R\d+ type=(\w*_or_null) expected/, /pointer arithmetic on (\w*_or_null) prohibited/],
    explain: (_log, m) => `the value may be missing here (the verifier's type is '${m[1]}'): a map lookup finds nothing for an absent key, and the kernel will not let the program read through it unchecked`,
    hint: "check the value before using it: const v = m.get(k); if (v !== undefined) { … }",
  },
  {
    code: "TSB3002",
    refuses: "a loop the verifier cannot prove ends, or whose iterations it cannot follow",
    patterns: [/back-edge from insn \d+ to \d+/, /infinite loop detected/, /The sequence of (\d+) jumps is too complex/, /loop is not bounded/],
    explain: (_log, m) =>
      m[1] !== undefined
        ? `the verifier follows a loop one iteration at a time and keeps every branch it has yet to explore; this loop's branches on data left ${thousands(Number(m[1]))} of them pending, past its limit of 8,192`
        : "the verifier could not find a bound on this loop: it must see the loop's counter reach a constant",
    hint: "loop over a counted range with a constant bound (for (let i: u32 = 0; i < N; i++)), with fewer iterations or fewer branches on data inside",
  },
  {
    code: "TSB3003",
    refuses: "more than 512 bytes of stack, counting the functions a program calls",
    patterns: [/combined stack size of (\d+) calls is (\d+)/, /stack (limit|size) exceeded/, /invalid (write|read) to stack R\d+ off=(-\d+)/],
    explain: (_log, m) =>
      m[2] !== undefined && /combined/.test(m[0])
        ? `the program and the ${m[1]} functions it calls use ${m[2]} bytes of stack together; BPF gives them 512`
        : "the program uses more stack than BPF's 512 bytes",
    hint: "keep large values in a map (a PerCpuArrayMap of one entry works as scratch space), or pass them by reference",
  },
  {
    code: "TSB3004",
    refuses: "memory read or written through a pointer the verifier does not let the program follow",
    patterns: [/R\d+ invalid mem access '(scalar|inv|mem_or_null|ptr_)'/, /R\d+ type=(scalar|inv) expected=/, /invalid access to (memory|map value|packet|context)/, /invalid bpf_context access off=(\d+)/, /dereference of modified \w+ ptr/],
    explain: (_log, m) =>
      /bpf_context/.test(m[0])
        ? `the program reads its context at offset ${m[1]}, which this program kind does not have or does not allow`
        : "kernel and user memory cannot be read by dereferencing an address: only through a probe read, which checks the address and copes with a fault",
    hint: "read through readKernel(p) / readUser(p) (or a Ptr<T>'s fields, which are probe reads), and check indices against the array's length",
  },
  {
    code: "TSB3005",
    refuses: "a helper this program kind may not call",
    patterns: [/program of this type cannot use helper (\w+)#(\d+)/, /helper call is not allowed in probe/, /cannot call (\w+) from (\w+)/],
    explain: (_log, m) => `${m[1] ?? "this helper"} is not available to this kind of program in this kernel`,
    hint: "call it from a program kind that may (bpftool feature probe lists which helpers each kind may call), or do the work in user space",
  },
  {
    code: "TSB3006",
    refuses: "a program too large or too complex for the verifier to check",
    patterns: [/BPF program is too large\. Processed (\d+) insn/, /too many states/, /BPF program is too complex/],
    explain: (log) => {
      const s = log.stats;
      const counts = s ? `: it followed ${thousands(s.processedInsns)} instructions against the kernel's limit of ${thousands(s.insnLimit ?? 1_000_000)}${s.totalStates !== undefined ? `, with ${thousands(s.totalStates)} states (${thousands(s.peakStates ?? 0)} at once)` : ""}` : "";
      return `the verifier checks every path through the program, and every iteration of a loop, and stops at a limit${counts}`;
    },
    hint: "loop fewer times, move work out of loops, or split the work over several programs or events",
  },
  {
    code: "TSB3007",
    refuses: "a read of stack memory or a register that was never written",
    patterns: [/invalid (indirect )?read from stack (R\d+ )?off/, /R(\d+) !read_ok/, /invalid size of register (fill|spill)/],
    explain: (_log, m) => (/!read_ok/.test(m[0]) ? `register R${m[1]} is read before anything was written to it` : "bytes on the stack are read (or passed to a helper) before they were written: the kernel refuses to let them leak"),
    hint: "give every value a value before it is read (tsbpf zeroes what it places; this is a compiler bug if the probe compiled: please report it with the probe)",
  },
  {
    code: "TSB3008",
    refuses: "a ring-buffer reservation (or another reference) neither submitted nor discarded",
    patterns: [/Unreleased reference id=(\d+) alloc_insn=(\d+)/, /would lead to reference leak/, /reference has not been acquired before/],
    // The error comes at the program's exit; the line to blame is the reservation's.
    blame: /call \w+#\d+\s+; R0=\w*\([^)]*ref_obj_id=/,
    explain: () => "a path through the program leaves a reserved ring-buffer record (or another kernel reference) without submitting or discarding it",
    hint: "submit or discard the reservation on every path, including early returns",
  },
  {
    code: "TSB3009",
    refuses: "a pointer compared, stored or computed with where the verifier forbids it",
    patterns: [/(R\d+) pointer comparison prohibited/, /(R\d+) leaks addr into (\w+)/, /pointer arithmetic (on|with) .* prohibited/, /bitwise operator \S+ on pointer prohibited/, /(R\d+) partial copy of pointer/, /math between \w+ pointer and/],
    explain: () => "kernel addresses may not reach memory user space can read, be compared with numbers, or take part in arithmetic the verifier cannot bound",
    hint: "keep kernel pointers in locals; send the values they point to (readKernel) rather than the addresses",
  },
  {
    code: "TSB3010",
    refuses: "a GPL-only helper called from a program whose licence is not GPL-compatible",
    patterns: [/cannot call GPL-restricted function from non-GPL compatible program/, /GPL-compatible/],
    explain: () => "the helper is exported to GPL-compatible programs only, and the object's licence section says otherwise",
    hint: "the licence section must be GPL-compatible (tsbpf emits GPL)",
  },
  {
    code: "TSB3011",
    refuses: "a feature the running kernel is too old for",
    patterns: [/invalid func unknown#(\d+)/, /unknown func \w+#(\d+)/, /invalid BPF_LD_IMM insn/, /unknown opcode ([0-9a-f]+)/, /unsupported .* (helper|kfunc)/],
    explain: (_log, m) => {
      const since = m[1] !== undefined && !/opcode/.test(m[0]) ? helperRelease(Number(m[1])) : undefined;
      if (since) return `${helperName(Number(m[1]))} (helper ${m[1]}) came with Linux ${since}; this kernel does not have it`;
      if (/BPF_LD_IMM/.test(m[0])) return "the program loads the address of a map or of global data (a string constant, a param) in a way this kernel does not know: global data came with Linux 5.2";
      if (/opcode/.test(m[0])) return `instruction opcode 0x${m[1]} is newer than this kernel`;
      return `helper ${m[1]} is newer than this kernel`;
    },
    hint: "run the probe on a newer kernel, or avoid the feature (fieldExists/enumValueExists guards what a kernel may lack)",
  },
] as const satisfies readonly VerifierClass[];
