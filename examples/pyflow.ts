// bcc's pythonflow (ucalls -F): the call tree of the Python functions each thread runs, from
// python3's USDT probes function__entry and function__return (their arguments: the code's file,
// the function's name, its first line), indented by the thread's depth, which a map keeps.
// Debian's python3 has the probes behind semaphores: attaching sets them. Python 3.11 passes
// function__entry only while it traces a thread (its `use_tracing`), which the line probe's
// semaphore turns on: so the line probe is attached too, and does nothing.
// Run: tsbpf run examples/pyflow.ts [--pid <python's pid>], then run a script with /usr/bin/python3.
import { HashMap, printf, readUserStr, tid, usdt, type FixedArray, type i32, type Str, type u32, type u8, type UserPtr } from "tsbpf";

const depths = new HashMap<u32, u32>(10240);

// Two spaces a level; deeper calls are drawn at the deepest.
const INDENT: FixedArray<Str<24>, 12> = [
  "", "  ", "    ", "      ", "        ", "          ", "            ", "              ",
  "                ", "                  ", "                    ", "                      ",
];
function indent(depth: u32): Str<24> {
  return INDENT[depth < 12 ? depth : 11];
}

export const entry = usdt("/usr/bin/python3:python:function__entry", (file: UserPtr<u8>, fn: UserPtr<u8>, line: i32) => {
  const depth = depths.get(tid());
  const d = depth === undefined ? 0 : depth;
  printf("%-7d %s-> %s (%s:%d)\n", tid(), indent(d), readUserStr(fn, 64), readUserStr(file, 128), line);
  depths.set(tid(), d + 1);
});

export const exit = usdt("/usr/bin/python3:python:function__return", (file: UserPtr<u8>, fn: UserPtr<u8>, line: i32) => {
  const depth = depths.get(tid());
  // A thread that was inside functions when the probe attached returns from more than it entered.
  const d = depth === undefined || depth === 0 ? 0 : depth - 1;
  printf("%-7d %s<- %s (%s:%d)\n", tid(), indent(d), readUserStr(fn, 64), readUserStr(file, 128), line);
  depths.set(tid(), d);
});

export const line = usdt("/usr/bin/python3:python:line", () => {});
