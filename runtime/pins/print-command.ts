// `tsbpf print <dir>`: the maps of a probe that `tsbpf run --pin <dir>` left running, printed as
// `tsbpf run` prints them at exit (or as NDJSON), read through the pins while the probe runs on:
// bpftool's `map dump pinned`, with the probe's own types and bpftrace's formatting.

import { TsbpfError } from "../../contract/errors.js";
import type { PrintOptions } from "../output/map-printer.js";
import { writeStderr, writeStdout } from "../stderr.js";
import { existingPinDir } from "./pin-dir.js";
import { readPinRecord } from "./pin-record.js";

export interface PrintCommandOptions extends PrintOptions {
  /** Empty the maps once printed (the next print shows what came since). */
  clear?: boolean;
  /** The probe's source, where it has moved since it was pinned (its maps' types). */
  source?: string;
}

export async function printCommand(dir: string, options: PrintCommandOptions): Promise<number> {
  const path = existingPinDir(dir, "pin a probe there first: `tsbpf run <probe.ts> --pin <dir>`");
  const record = readPinRecord(path);
  if (!record) throw new TsbpfError(`${path} holds no probe pinned by tsbpf`, { subject: path, hint: "`tsbpf run <probe.ts> --pin <dir>` pins one" });
  const { open } = require("../index.js") as typeof import("../index.js");
  const { formatMaps, printedMaps } = require("../output/map-printer.js") as typeof import("../output/map-printer.js");
  const probe = await open(options.source ?? record.source, { pinned: path });
  try {
    const maps = printedMaps(probe);
    if (!maps.length) {
      writeStderr(`tsbpf: the probe pinned at ${path} (${probe.compiled.file}) exports no maps to print\n`);
      return 0;
    }
    writeStdout(formatMaps(maps, options));
    if (options.clear) for (const map of maps) map.clear();
    return 0;
  } finally {
    probe.close();
  }
}
