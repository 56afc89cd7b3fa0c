// `tsbpf run`'s --duration and --param, and the runtime API's params, against values that
// JavaScript's conversions would take the wrong way: a timer past 2^31 - 1 ms (Node fires it
// after 1 ms), Number()'s '', '0x10' and 'Infinity', and names an object finds in its prototype.
import { expectNoStack, repo, Running, tsbpf } from "../helpers/tsbpf-command.js";
import { helloLoaded, syncfsLater, triggerSyncfs, tsbpfInstances } from "../helpers/kernel.js";
import { open, TsbpfError, type ParamValues } from "../../runtime/index.js";

const HELLO = repo("examples/hello-syncfs.ts");
const PID_FILTER = repo("examples/pid-filter.ts");

describe("--duration", () => {
  test("past setTimeout's limit (3000000 s) keeps running; SIGTERM ends it and unloads the probe", async () => {
    const run = new Running(["run", HELLO, "--duration", "3000000"]);
    try {
      await run.waitFor("stderr", /Attached 1 program .*Stopping in 3000000 s\./);
      await new Promise((r) => setTimeout(r, 2000));
      expect(run.child.exitCode).toBeNull();
      triggerSyncfs();
      await run.waitFor("stdout", /syncfs called/);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exited).toBe(0);
    expect(helloLoaded()).toEqual([]);
    expect(tsbpfInstances()).toEqual([]);
  });

  const refused = ["Infinity", "NaN", "-1", "1e400", "0x10", "", " ", "1s", "9".repeat(400)];
  test.each(refused.map((v) => [v.length > 20 ? `${v.slice(0, 8)}… (${v.length} digits)` : v, v]))("'%s' is a usage error, before anything is loaded", (_, value) => {
    const r = tsbpf(["run", HELLO, "--duration", value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`tsbpf: --duration takes a number of seconds such as 10 or 0.5, not '${value}' (leave it out to run until Ctrl-C)`);
    expectNoStack(r.stderr);
  });
});

describe("--param", () => {
  test.each(["__proto__", "constructor", "toString", "hasOwnProperty"])("%s=5 is an unknown param, with the ones the probe has", (name) => {
    const r = tsbpf(["run", PID_FILTER, "--param", `${name}=5`, "--duration", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: the probe has no param '${name}'`);
    expect(r.stderr).toContain("hint: its params are: TARGET_PID (u32)");
    expectNoStack(r.stderr);
  });

  test("a param given twice is a usage error", () => {
    const r = tsbpf(["run", PID_FILTER, "--param", "TARGET_PID=1", "-p", "TARGET_PID=2", "--duration", "0"]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining("tsbpf: --param TARGET_PID is given twice")]);
  });
});

describe("open(file, { params })", () => {
  test.each<[string, ParamValues]>([
    ["__proto__", JSON.parse('{ "__proto__": 5 }') as ParamValues],
    ["constructor", { constructor: 5 } as unknown as ParamValues],
    ["toString", { toString: 5 } as unknown as ParamValues],
    ["__proto__", new Map([["__proto__", 5]])],
  ])("%s is an unknown param", async (name, params) => {
    await expect(open(PID_FILTER, { params })).rejects.toThrow(new TsbpfError(`the probe has no param '${name}'`));
  });

  test.each<[string, unknown]>([
    ["true", true],
    ["''", ""],
    ["an object", { valueOf: () => 1 }],
    ["a symbol", Symbol("x")],
  ])("%s is not an integer", async (_, value) => {
    await expect(open(PID_FILTER, { params: { TARGET_PID: value } as ParamValues })).rejects.toThrow(/^param TARGET_PID must be an integer/);
  });

  test("params given as a Map, or as an object without a prototype, reach the kernel", async () => {
    const noPrototype = (pid: number) => Object.assign(Object.create(null) as Record<string, number>, { TARGET_PID: pid });
    for (const make of [(pid: number) => new Map([["TARGET_PID", pid]]), noPrototype]) {
      const watched = syncfsLater();
      const probe = await open(PID_FILTER, { params: make(watched.pid) });
      try {
        probe.openTracePipe();
        probe.attach();
        triggerSyncfs(); // not the watched process: filtered out in the kernel
        await watched.go();
        const stop = new AbortController();
        const timeout = setTimeout(() => stop.abort(), 10_000);
        const lines: string[] = [];
        for await (const line of probe.traceLines(stop.signal)) {
          lines.push(line.message);
          stop.abort();
        }
        clearTimeout(timeout);
        expect(lines).toEqual([`syncfs by sync (pid ${watched.pid}, uid 0)`]);
      } finally {
        probe.close();
      }
    }
  });
});
