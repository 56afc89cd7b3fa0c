// What every `tsbpf run` prints ("Attached …", --timings) goes straight to file descriptor 2:
// the first use of process.stderr builds Node's stream for it, which loads Node's net or tty
// modules and cost 5–6 ms of each run's start-up (D82). Both ways write synchronously (files,
// pipes and terminals, on Linux), so lines keep their order with those written to the stream.

import { writeSync } from "node:fs";

export function writeStderr(text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(2, bytes, done);
  } catch {
    // A non-blocking descriptor that is full (EAGAIN), a closed one: the stream writes the
    // rest, or reports the error, as it always did.
    process.stderr.write(bytes.subarray(done));
  }
}
