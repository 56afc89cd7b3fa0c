// bcc's bashreadline: every command line an interactive bash reads, with the shell's pid, from a
// uretprobe on bash's readline() (found on PATH), whose return value is the line it read (NULL at
// end of input). User code has no BTF: the handler says what the return value is.
// Run: tsbpf run examples/bashreadline.ts [--pid <bash's pid>], then type commands in a bash.
import { pid, readUserStr, RingBuf, uretprobe, userPtr, type Str, type u32, type u64, type u8 } from "tsbpf";

interface Line {
  pid: u32;
  line: Str<256>;
}

export const lines = new RingBuf<Line>(64 * 1024);

export const readline = uretprobe("bash:readline", (ret: u64) => {
  if (ret === 0) return;
  lines.emit({ pid: pid(), line: readUserStr(userPtr<u8>(ret), 256) });
});
