// Whether a compile's outcome is one tsbpf may give for any input: a clean build, or a user
// error located in the file (file:line:col inside it; or, for what concerns the whole file, the
// file itself). Anything else is a failure, named by a class that leaves out the mutant's own
// names and numbers, so that one bug found by many mutants is reported once.

import { basename } from "node:path";
import type { Outcome } from "./protocol.js";

export interface Failure {
  /** E.g. `internal RangeError: Maximum call stack size exceeded @ typescript.js`. */
  cls: string;
  /** What the user would have seen, for the report. */
  detail: string;
}

export function judge(outcome: Outcome, file: string, text: string): Failure | undefined {
  switch (outcome.kind) {
    case "clean":
      return undefined;
    case "user":
      return unlocated(outcome, file, text);
    case "internal":
      return { cls: `internal ${outcome.name}: ${normalize(outcome.message)}${topFrame(outcome.stack)}`, detail: outcome.stack || outcome.message };
    case "died": {
      const how = outcome.signal ?? `exit ${outcome.code}`;
      return { cls: `died ${how}: ${normalize(fatalLine(outcome.output))}`, detail: `the compiling process died (${how}); its last output:\n${outcome.output}` };
    }
    case "hang":
      return { cls: "hang", detail: `no outcome within ${outcome.ms} ms` };
  }
}

function unlocated(outcome: Extract<Outcome, { kind: "user" }>, file: string, text: string): Failure | undefined {
  const lines = text.split("\n");
  for (const e of outcome.errors) {
    const at = e.at;
    let problem: string | undefined;
    if (!at) problem = e.subject === file ? undefined : "no-location";
    else if (at.file !== file) problem = "location-elsewhere";
    else if (!(at.line >= 1 && at.line <= lines.length && at.column >= 1 && at.column <= lines[at.line - 1].length + 1)) problem = "location-outside-file";
    if (problem) return { cls: `${problem}: ${normalize(e.message)}`, detail: outcome.formatted };
  }
  return undefined;
}

/** The first line, without the quoted names, file names, numbers and lengths that vary from mutant to mutant. */
export function normalize(message: string): string {
  return (message.split("\n").find((l) => l.trim()) ?? "")
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "'…'")
    .replace(/[\w./-]*\.(ts|ll)\b/g, "FILE")
    .replace(/(?<=: )in function \S+/g, "in function …")
    .replace(/@[\w.$\u0080-\uffff]+/gu, "@…")
    .replace(/\b0x[0-9a-f]+\b|\d+/gi, "N")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 120);
}

/** Where in tsbpf (or TypeScript) an internal error was thrown: tells stack overflows apart. */
function topFrame(stack: string): string {
  const m = /^\s+at .*?([^/\s(]+\.js):\d+:\d+\)?$/m.exec(stack.split("\n").filter((l) => /\/(dist|typescript)\//.test(l)).join("\n"));
  return m ? ` @ ${basename(m[1])}` : "";
}

/** The line that says why a process aborted: LLVM's, V8's or the C++ runtime's last words. */
function fatalLine(output: string): string {
  return output.split("\n").find((l) => /LLVM ERROR|pure virtual|FATAL ERROR|Assertion|fatal|error/i.test(l)) ?? "no message";
}
