// Data out of the kernel as it happens: a RingBuf's typed events and printf's lines, read from the
// ring buffer's memory and decoded in user space, in the kernel for real.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open, TsbpfError } from "../../runtime/index.js";
import { compileErrorOf } from "../helpers/compile-error.js";
import { runLater, syncfsFromThisProcess, syncfsLater } from "../helpers/kernel.js";
import { expectNoStack, repo, Running } from "../helpers/tsbpf-command.js";

const fixture = (name: string) => repo("test/fixtures/events", name);
const myComm = () => readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim();

describe("RingBuf", () => {
  test("events arrive decoded, typed field by field, in the order they were emitted", async () => {
    await using probe = await open(fixture("syncfs-events.ts"), { params: { TARGET_PID: process.pid } });
    const events = probe.events("events");
    probe.attach();
    const before = process.hrtime.bigint();
    for (let i = 0; i < 3; i++) syncfsFromThisProcess();
    const seen: Record<string, unknown>[] = [];
    for await (const e of events) {
      seen.push(e as Record<string, unknown>);
      if (seen.length === 3) break;
    }
    expect(seen.map(({ when, ...rest }) => rest)).toEqual(Array(3).fill({ pid: process.pid, tid: process.pid, comm: myComm(), small: 65535, signed: -7, pair: [1, 2] }));
    const times = seen.map((e) => e.when as bigint);
    expect(times[0]).toBeGreaterThanOrEqual(before); // ktime and hrtime are both CLOCK_MONOTONIC
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
    expect(events.lost).toBe(0n);
  });

  test("a full buffer drops events and counts them; what fitted is read intact", async () => {
    await using probe = await open(fixture("producer.ts"));
    const stream = probe.events("small");
    const runs = 1000;
    probe.testRun("produce", new Uint8Array(64), runs); // nothing reads meanwhile
    const got: { seq: bigint; payload: bigint[] }[] = [];
    stream.poll((batch) => got.push(...(batch as typeof got)));
    // 4096 bytes hold 56 records of 64 bytes and an 8-byte header each.
    expect(got.length).toBe(Math.floor(4096 / 72));
    expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => BigInt(i)));
    expect(got[10].payload).toEqual([10n, 11n, 12n, 13n, 14n, 15n, 16n]);
    expect(stream.lost).toBe(BigInt(runs - got.length));
    // Room again: the next events go through.
    probe.testRun("produce", new Uint8Array(64), 5);
    const more: { seq: bigint }[] = [];
    stream.poll((batch) => more.push(...(batch as typeof more)));
    expect(more.map((e) => e.seq)).toEqual([1000n, 1001n, 1002n, 1003n, 1004n]);
  });

  test("a poll copies the records out and frees the buffer before the first batch, hands them over in batches of at most 1024 in order, and takes in what comes meanwhile", async () => {
    await using probe = await open(fixture("producer.ts"));
    const stream = probe.events("many");
    probe.testRun("produceMany", new Uint8Array(64), 3000); // of 3,640 that fit
    const batches: { seq: bigint; payload: bigint[] }[][] = [];
    const handed = stream.poll((batch) => {
      // The kernel's buffer is empty now: 3,000 more fit (only 640 would if it were not).
      if (!batches.length) probe.testRun("produceMany", new Uint8Array(64), 3000);
      batches.push(batch as (typeof batches)[number]);
    });
    expect(handed).toBe(6000);
    expect(batches.map((b) => b.length)).toEqual([1024, 1024, 1024, 1024, 1024, 880]);
    expect(stream.lost).toBe(0n);
    const first = batches[0][0].seq;
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 6000 }, (_, i) => first + BigInt(i)));
    expect(batches[5][879].payload).toEqual(Array(7).fill(first + 5999n));
    // What is sent after the poll comes next, and for-await yields every batch's events.
    probe.testRun("produceMany", new Uint8Array(64), 1600);
    let next = first + 6000n;
    let seen = 0;
    for await (const e of stream) {
      expect((e as { seq: bigint }).seq).toBe(next++);
      if (++seen === 1600) break;
    }
  });

  test("a reader slower than the producer loses nothing while its backlog has room: the kernel's buffer is emptied before each batch", async () => {
    await using probe = await open(fixture("producer.ts"));
    const stream = probe.events("many");
    let received = 0;
    let callbacks = 0;
    probe.testRun("produceMany", new Uint8Array(64), 3000);
    // Each of the first 20 batches' callbacks produces nearly a whole kernel buffer (3,000 of 3,640):
    // three times what the batch takes out of the backlog.
    const handed = stream.poll((batch) => {
      received += batch.length;
      if (++callbacks <= 20) probe.testRun("produceMany", new Uint8Array(64), 3000);
    });
    expect(handed).toBe(63_000);
    expect(received).toBe(63_000);
    expect(stream.lost).toBe(0n);
  });

  test("a callback that closes the probe ends the poll: the buffer's memory is not read after", async () => {
    const probe = await open(fixture("producer.ts"));
    const stream = probe.events("many");
    probe.testRun("produceMany", new Uint8Array(64), 2500);
    let calls = 0;
    expect(
      stream.poll(() => {
        calls++;
        probe.close();
      }),
    ).toBe(1024);
    expect(calls).toBe(1);
    expect(stream.poll(() => calls++)).toBe(0);
  });

  test("a stream is read in one form: asked for again in another, a clear error", async () => {
    await using probe = await open(fixture("producer.ts"));
    const objects = probe.events("small");
    expect(probe.events("small")).toBe(objects);
    const lines = { readerOf: () => () => "line", decode: () => "line" };
    const e = (() => {
      try {
        probe.events("small", lines);
      } catch (err) {
        return err;
      }
    })() as TsbpfError;
    expect(e).toBeInstanceOf(TsbpfError);
    expect([e.message, e.options.hint]).toEqual(["the events of 'small' are already being read in another form", "read a stream through one events() call, in one form"]);
  });

  test("consume() hands over batches until aborted, and a closed probe ends iteration", async () => {
    const probe = await open(fixture("syncfs-events.ts"), { params: { TARGET_PID: process.pid } });
    const stream = probe.events("events");
    probe.attach();
    const stop = new AbortController();
    let count = 0;
    const done = stream.consume((batch) => {
      count += batch.length;
      if (count >= 4) stop.abort();
    }, stop.signal);
    for (let i = 0; i < 4; i++) syncfsFromThisProcess();
    await done;
    expect(count).toBe(4);
    const iteration = (async () => {
      for await (const _ of stream) return "event";
      return "ended";
    })();
    await probe.closeAsync();
    expect(await iteration).toBe("ended");
  });

  test("tsbpf run prints events under a header, and as NDJSON with --json", async () => {
    for (const json of [false, true]) {
      const watched = syncfsLater();
      const run = new Running(["run", fixture("syncfs-events.ts"), "--param", `TARGET_PID=${watched.pid}`, "--duration", "5", ...(json ? ["--json"] : [])]);
      await run.waitFor("stderr", /Attached/);
      await watched.go();
      if (json) {
        const [line] = await run.waitFor("stdout", /^\{"type":"event".*\}$/m);
        expect(line).toMatch(new RegExp(`^\\{"type":"event","map":"events","data":\\{"pid":${watched.pid},"tid":${watched.pid},"comm":"sync","when":\\d+,"small":65535,"signed":-7,"pair":\\[1,2\\]\\}\\}$`));
      } else {
        await run.waitFor("stdout", new RegExp(`^ +${watched.pid} +${watched.pid} sync +\\d+ +65535 +-7 \\[1,2\\]$`, "m"));
        expect(run.stdout.split("\n")[0]).toMatch(/^ +PID +TID COMM +WHEN +SMALL +SIGNED PAIR$/);
      }
      run.child.kill("SIGINT");
      expect(await run.exited).toBe(0);
      expectNoStack(run.stderr);
    }
  });

  test("tsbpf run waits for a slow reader of its output: every event arrives, none held in memory or dropped at exit", async () => {
    // 20,000 getppid() calls once tsbpf is attached: 20,000 lines, far more than a pipe holds.
    const calls = 20_000;
    const caller = spawn(process.execPath, ["-e", `require("fs").readSync(0, Buffer.alloc(1)); for (let i = 0; i < ${calls}; i++) process.ppid;`], { stdio: ["pipe", "ignore", "inherit"] });
    const run = new Running(["run", fixture("getppid-calls.ts"), "--param", `TARGET_PID=${caller.pid}`, "--duration", "1"]);
    run.child.stdout!.pause(); // the reader takes nothing for 2 s: the run's --duration ends meanwhile
    await run.waitFor("stderr", /Attached/);
    caller.stdin!.end("g");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    run.child.stdout!.resume();
    expect(await run.exited).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => new RegExp(`^ +${caller.pid} +\\d+$`).test(l));
    expect(run.stderr).not.toMatch(/were lost/); // 1 MiB holds them all while the run waits
    expect(lines.length).toBe(calls);
  });
});

test("tsbpf run says how many events a full ring buffer lost, and what it printed adds up", async () => {
  const burst = runLater("perl -e 'getppid() for 1 .. 200000'");
  const run = new Running(["run", fixture("tiny-ring.ts"), "--param", `TARGET_PID=${burst.pid}`, "--duration", "4", "--json"]);
  await run.waitFor("stderr", /Attached/);
  await burst.go();
  expect(await run.exited).toBe(0);
  const printed = run.stdout.split("\n").filter((l) => l.startsWith('{"type":"event"')).length;
  const [, lost] = /tsbpf: (\d+) events of 'bursts' were lost: the ring buffer was full/.exec(run.stderr) ?? [];
  expect(Number(lost)).toBeGreaterThan(0);
  expect(printed + Number(lost)).toBe(200000);
  expectNoStack(run.stderr);
});

describe("printf", () => {
  test("lines are formatted in user space as C formats them, with any number of arguments", async () => {
    await using probe = await open(fixture("printf-lines.ts"), { params: { TARGET_PID: process.pid, TAG: 7 } });
    const lines = probe.printf()!;
    probe.attach();
    syncfsFromThisProcess();
    const got: string[] = [];
    for await (const line of lines) if (got.push(line) === 4) break;
    const comm = myComm();
    expect(got).toEqual([
      `tag 7: ${comm} pid ${process.pid}\n`,
      `-300 4294966996 c8 C8 310   200|200  |-0300 +200 A -1 18446744073709551615 0xff ${comm}\n`,
      "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
      "100% done\n",
    ]);
  });

  test("two runs at once each print only their own lines", async () => {
    const a = syncfsLater();
    const b = syncfsLater();
    const runs = [a, b].map((p, i) => new Running(["run", fixture("printf-lines.ts"), "--param", `TARGET_PID=${p.pid}`, "--param", `TAG=${i + 1}`, "--duration", "6"]));
    for (const r of runs) await r.waitFor("stderr", /Attached/);
    await a.go();
    await b.go();
    await runs[0].waitFor("stdout", /100% done/);
    await runs[1].waitFor("stdout", /100% done/);
    for (const r of runs) r.child.kill("SIGINT");
    for (const r of runs) expect(await r.exited).toBe(0);
    expect(runs[0].stdout).toContain(`tag 1: sync pid ${a.pid}\n`);
    expect(runs[1].stdout).toContain(`tag 2: sync pid ${b.pid}\n`);
    expect(runs[0].stdout).not.toContain("tag 2");
    expect(runs[1].stdout).not.toContain("tag 1");
  });
});

describe("bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-events-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const probe = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `import { RingBuf, printf, tracepoint, pid, type u32 } from "tsbpf";\n${body}\n`);
    return file;
  };

  test.each([
    [5000, "not 5000", "the nearest sizes are 4096 or 8192"],
    [100, "not 100", "the nearest sizes are 4096"],
    [3 * 4096, "not 12288", "the nearest sizes are 8192 or 16384"],
  ])("a RingBuf of %i bytes is refused, naming the nearest valid sizes", (bytes, message, hint) => {
    const e = compileErrorOf(probe(`size-${bytes}.ts`, `export const events = new RingBuf<u32>(${bytes});`))!;
    expect(e.code).toBe("TSB1111");
    expect(e.message).toContain("a RingBuf's size must be a power of two of at least 4096 bytes");
    expect(e.message).toContain(message);
    expect(e.options.hint).toContain(hint);
    expect(e.at).toMatchObject({ line: 2, column: 40 });
  });

  test("printf's format and arguments are checked at their place", () => {
    const e = compileErrorOf(
      probe(
        "printf-bad.ts",
        [
          'export const t = tracepoint("syscalls/sys_enter_syncfs", () => {',
          '  printf("%f\\n", pid());',
          '  printf("%s\\n", pid());',
          `  printf("${"%d ".repeat(33)}", ${Array.from({ length: 33 }, () => "pid()").join(", ")});`,
          "});",
        ].join("\n"),
      ),
    )!;
    const all = [e, ...(e.options.related ?? [])];
    expect(all.map((x) => [x.code, x.at?.line])).toEqual([
      ["TSB1203", 3],
      ["TSB1204", 4],
      ["TSB1202", 5],
    ]);
    expect(all[0].message).toBe("printf does not support the conversion '%f'");
    expect(all[2].message).toContain("printf prints at most 32 arguments");
  });
});

describe("PerfEventArray", () => {
  test("events arrive through each CPU's perf buffer, decoded as a RingBuf's are", async () => {
    await using probe = await open(fixture("perf-events.ts"), { params: { TARGET_PID: process.pid } });
    const events = probe.events("events");
    probe.attach();
    for (let i = 0; i < 3; i++) syncfsFromThisProcess();
    const seen: unknown[] = [];
    for await (const e of events) if (seen.push(e) === 3) break;
    expect(seen).toEqual(Array(3).fill({ pid: process.pid, comm: myComm(), seq: 7n }));
    expect(events.lost).toBe(0n);
  });

  test("emit() outside a handler is refused where it is written: it needs the program's context", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-perf-"));
    try {
      const file = join(dir, "outside.ts");
      writeFileSync(file, 'import { PerfEventArray, tracepoint, type u32 } from "tsbpf";\nconst events = new PerfEventArray<u32>();\nfunction send(v: u32): void {\n  events.emit(v);\n}\nexport const t = tracepoint("syscalls/sys_enter_syncfs", () => send(1));\n');
      const e = compileErrorOf(file)!;
      expect(e.message).toBe("PerfEventArray.emit() needs the program's context, which only its handler has");
      expect(e.at).toMatchObject({ line: 4, column: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
