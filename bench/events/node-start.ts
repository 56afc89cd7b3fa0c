// The start-up benchmark's Node program: what `tsbpf run examples/opensnoop.ts --duration 0`
// does, through the runtime: open the probe (cached), open its events, attach, close.
//
// usage: node dist/bench/events/node-start.js <probe.ts>

import { open } from "../../runtime/index.js";

async function main(): Promise<void> {
  await using probe = await open(process.argv[2]);
  for (const info of probe.mapInfos) if (info.kind === "RingBuf" && info.exported) probe.events(info.name);
  probe.attach();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
