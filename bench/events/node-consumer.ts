// The events benchmarks' Node program: what a user's program does with the runtime. Opens a
// probe, reads one RingBuf's decoded events (or its printf lines) in consume() batches, says
// "Attached" on stderr once it reads, and on SIGINT prints
// {"received","lost","firstNs","lastNs"} on stdout (CLOCK_MONOTONIC, the clock drive.c and
// getppid-loop.c print).
//
// usage: node dist/bench/events/node-consumer.js <probe.ts> <ring buffer map | printf> [NAME=value …]

import { open, type EventStream } from "../../runtime/index.js";

async function main(): Promise<void> {
  const [file, what, ...assignments] = process.argv.slice(2);
  const params = new Map(assignments.map((a) => [a.slice(0, a.indexOf("=")), Number(a.slice(a.indexOf("=") + 1))]));
  const probe = await open(file, { params });
  const stream: EventStream<unknown> = what === "printf" ? probe.printf()! : probe.events(what);
  probe.attach();
  let received = 0;
  let firstNs = 0n;
  let lastNs = 0n;
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.stderr.write("Attached\n");
  await stream.consume((batch) => {
    received += batch.length;
    lastNs = process.hrtime.bigint();
    if (!firstNs) firstNs = lastNs;
  }, stop.signal);
  const lost = stream.lost;
  await probe.closeAsync();
  process.stdout.write(JSON.stringify({ received, lost: Number(lost), firstNs: Number(firstNs), lastNs: Number(lastNs) }) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
