// The events benchmarks' Node program: what a user's program does with the runtime. Opens a
// probe, reads one RingBuf's decoded events (or its printf lines) in consume() batches, says
// "Attached" on stderr once it reads, and on SIGINT prints
// {"received","lost","firstNs","lastNs"} on stdout (CLOCK_MONOTONIC, the clock drive.c and
// getppid-loop.c print).
//
// With --drain R F (after the map): R times, fills the buffer with F test runs of the probe's
// program `produce` and times poll() emptying it; prints {"events","ns"} (consume.c's --drain).
//
// usage: node dist/bench/events/node-consumer.js <probe.ts> <ring buffer map | printf> [NAME=value … | --drain R F]

import { open, type EventStream, type Probe } from "../../runtime/index.js";

async function main(): Promise<void> {
  const [file, what, ...rest] = process.argv.slice(2);
  const assignments = rest[0] === "--drain" ? [] : rest;
  const params = new Map(assignments.map((a) => [a.slice(0, a.indexOf("=")), Number(a.slice(a.indexOf("=") + 1))]));
  const probe = await open(file, { params });
  const stream: EventStream<unknown> = what === "printf" ? probe.printf()! : probe.events(what);
  if (rest[0] === "--drain") return drain(probe, stream, Number(rest[1]), Number(rest[2]));
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

/** Decoding speed alone: a full buffer emptied, again and again, with nothing else running. */
function drain(probe: Probe, stream: EventStream<unknown>, rounds: number, fill: number): void {
  let events = 0;
  let ns = 0n;
  for (let r = 0; r < rounds; r++) {
    probe.testRun("produce", new Uint8Array(64), fill);
    const t0 = process.hrtime.bigint();
    while (stream.poll((batch) => (events += batch.length)));
    ns += process.hrtime.bigint() - t0;
  }
  probe.close();
  process.stdout.write(JSON.stringify({ events, ns: Number(ns) }) + "\n");
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
