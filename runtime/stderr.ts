// What `tsbpf run` prints goes straight to file descriptors 1 and 2. The first use of
// process.stderr builds Node's stream for it, which loads Node's net or tty modules and cost 5–6
// ms of each run's start-up (D82). And Node's stream for a pipe keeps what the reader has not
// taken yet in memory, without bound, and process.exit() drops it: events and lines are written
// with a blocking write instead, so that a slow reader holds the run back (the ring buffer fills
// and counts its drops, as with bpftrace or a C tool), memory stays flat and nothing written is
// lost at exit (D123). Lines keep their order with those written to the streams, which write
// at once where they can.

import { writeSync } from "node:fs";

export function writeStderr(text: string): void {
  writeTo(2, text);
}

export function writeStdout(text: string): void {
  writeTo(1, text);
}

function writeTo(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done);
  } catch {
    // A non-blocking descriptor that is full (EAGAIN), a closed one: the stream writes the
    // rest, or reports the error, as it always did.
    (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
  }
}
