// uprobe("binary:function", (a: u64, p: UserPtr<u8>, …) => …): SEC("uprobe/binary:function");
// uretprobe("binary:function", (ret: i32) => …): SEC("uretprobe/…"). A kprobe on user code: the
// context is the probed task's registers, the parameters the function's arguments read from the
// calling convention's registers (registers.ts), or its return value. User code has no BTF, so
// the handler declares each parameter's type. Which binary and address: runtime/attach/uprobe.ts,
// on the machine the probe runs on.

import type * as TS from "typescript";
import { parseUprobeTarget } from "../../contract/uprobe-target.js";
import type { TsbpfError } from "../../contract/errors.js";
import { Codes } from "../frontend/codes.js";
import { errorAt } from "../frontend/spans.js";
import { TRACING_HELPERS } from "./helper-sets.js";
import { argumentRegisters, returnRegister } from "./kernel-function.js";
import type { ProgramKind, ProgramTarget } from "./program-kind.js";
import type { CheckedSource } from "../frontend/checked-source.js";

const WHY_TYPED = "user code has no BTF, so tsbpf knows no function's prototype";
const WHOSE = "a user function's";
const TARGET_HINT = 'name the binary by absolute path, a library by short name or a command on PATH, then the function: "/usr/bin/bash:readline", "libc:getaddrinfo", "bash:readline+4"';

function userFunctionTarget(kind: string, p: CheckedSource, args: readonly TS.Expression[], declaredAt: TS.Node): ProgramTarget {
  const example = `${kind}("libc:getaddrinfo", (node: UserPtr<u8>) => { … })`;
  const [target, extra] = args;
  if (!target || !p.ts.isStringLiteralLike(target))
    throw errorAt(target ?? declaredAt, Codes.badUserProbeTarget, `${kind}() needs the function to probe as a string literal, "binary:function"`, `e.g. ${example}`);
  if (extra) throw errorAt(extra, Codes.badUserProbeTarget, `${kind}() takes "binary:function", then the handler`, `e.g. ${example}`);
  const parsed = parseUprobeTarget(target.text);
  if ("problem" in parsed) throw errorAt(target, Codes.badUserProbeTarget, parsed.problem, TARGET_HINT);
  const relative = binaryNamedRelatively(target, parsed.binary, Codes.badUserProbeTarget);
  if (relative) throw relative;
  return { target: target.text, section: `${kind}/${target.text}`, node: target };
}

/** The error for a binary named by a relative path (a probe may run from another directory), if it is one. */
export function binaryNamedRelatively(target: TS.Node, binary: string, code: string): TsbpfError | undefined {
  if (!binary.includes("/") || binary.startsWith("/")) return undefined;
  return errorAt(target, code, `the binary '${binary}' is a relative path`, "name it by absolute path (the probe may run from another directory), a library by short name (libc), or a command on PATH (bash)");
}

export const uprobeKind: ProgramKind = {
  name: "uprobe",
  target: (p, args, declaredAt) => userFunctionTarget("uprobe", p, args, declaredAt),
  returns: "ignored",
  helpers: TRACING_HELPERS,
  parameters: argumentRegisters(
    { kind: "uprobe", untypedWhy: WHY_TYPED, untypedHint: "declare each argument's type as the function's C prototype has it: (fd: i32, buf: UserPtr<u8>, count: u64) => …", whose: WHOSE },
    "uprobe",
  ),
};

export const uretprobeKind: ProgramKind = {
  name: "uretprobe",
  target: (p, args, declaredAt) => userFunctionTarget("uretprobe", p, args, declaredAt),
  returns: "ignored",
  helpers: TRACING_HELPERS,
  parameters: returnRegister(
    { kind: "uretprobe", untypedWhy: WHY_TYPED, untypedHint: "declare its type as the function's C prototype has it, e.g. (ret: i32) => … or (line: UserPtr<u8>) => …", whose: WHOSE },
    "uprobe",
  ),
};
