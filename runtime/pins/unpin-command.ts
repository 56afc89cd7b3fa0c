// `tsbpf unpin <dir>`: detaches a probe that `tsbpf run --pin <dir>` left running.

import { writeStderr } from "../stderr.js";
import { unpin } from "./pins.js";

export async function unpinCommand(dir: string): Promise<number> {
  const r = unpin(dir);
  const programs = r.programs.length ? `detached ${r.programs.join(", ")} (${r.source}) and ` : "";
  writeStderr(`tsbpf: ${programs}removed the pins at ${r.dir}\n`);
  return 0;
}
