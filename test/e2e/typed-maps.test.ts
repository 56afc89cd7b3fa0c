// `open<typeof probe>(…)`: every map family of a probe read and written from user space in the
// types its declaration gives (runtime/maps/map-views.ts). This file compiling is half the test:
// each value below is held in a variable of the type the view promises, then checked at run time.
import { readFileSync } from "node:fs";
import { open, type Decoded } from "../../runtime/index.js";
import { syncfsFromThisProcess } from "../helpers/kernel.js";
import { repo } from "../helpers/tsbpf-command.js";
import type * as probe from "../fixtures/maps/typed-maps.js";

const comm = () => readFileSync(`/proc/self/task/${process.pid}/comm`, "utf8").trim();

test("every family reads and writes in the types its declaration gives", async () => {
  const p = await open<typeof probe>(repo("test/fixtures/maps/typed-maps.ts"), { params: { TARGET: process.pid } });
  try {
    const { visits, byWho, recent, perCpu, perCpuByPid, perCpuPoints, calls, callsByComm, total, least, most, sizes, pings } = p.maps;
    visits.set(0, { pid: 0, calls: 0, name: "", phase: "Start", seen: false, where: { x: 0, y: 0 }, last: [0, 0, 0], delta: 0n });
    recent.set("Start", 1);
    // Zeroed memory: no member of Phase is 0, so the number.
    const untouched: Decoded<probe.Phase, typeof probe.Phase> = visits.get(1).phase;
    expect(untouched).toBe(0);

    p.attach();
    syncfsFromThisProcess();
    syncfsFromThisProcess();
    p.detach();

    const visit: { pid: number; calls: bigint; name: string; phase: "Start" | "Running" | "Done" | number; seen: boolean; where: { x: number; y: number }; last: number[]; delta: bigint } = visits.get(0);
    expect(visit).toEqual({ pid: process.pid, calls: 2n, name: comm(), phase: "Done", seen: true, where: { x: -5, y: 200 }, last: [0, 7, 7], delta: -1n });
    expect([visits.has(1), visits.has(2)]).toEqual([true, false]);
    const visitIndexes: number[] = visits.keys();
    expect(visitIndexes).toEqual([0, 1]);

    const who = { pid: process.pid, name: comm() };
    const byWhoEntries: [{ pid: number; name: string }, bigint][] = byWho.entries();
    expect(byWhoEntries).toEqual([[who, 2n]]);
    const count: bigint | undefined = byWho.get(who);
    expect(count).toBe(2n);
    byWho.set({ pid: 1, name: "init" }, 7); // a u64 from a number
    expect([byWho.has(who), byWho.delete(who), byWho.has(who), byWho.get({ pid: 1, name: "init" })]).toEqual([true, true, false, 7n]);

    const recentKeys: ("Start" | "Running" | "Done" | number)[] = recent.keys();
    expect(recentKeys.sort()).toEqual(["Done", "Start"]);
    const done: number | undefined = recent.get("Done");
    expect([done, recent.get("Start"), recent.get("Running")]).toEqual([3, 1, undefined]);

    const cpus: bigint[] = perCpu.get(0);
    expect(cpus.length).toBeGreaterThanOrEqual(1);
    const perCpuTotal: bigint = perCpu.sum(0);
    expect(perCpuTotal).toBe(4n);
    const byPidTotal: number | undefined = perCpuByPid.sum(process.pid);
    expect(byPidTotal).toBe(10);
    const points: { x: number; y: number }[] = perCpuPoints.get(0);
    expect(points.filter((pt) => pt.x === -3).length).toBeGreaterThanOrEqual(1);

    const callCount: bigint = calls.get();
    expect([callCount, calls.entries()]).toEqual([2n, [[0, 2n]]]);
    const byComm: [string, bigint][] = callsByComm.entries();
    expect(byComm).toEqual([[comm(), 2n]]);
    const summed: bigint | undefined = total.get(process.pid);
    expect(summed).toBe(20n);
    const lowest: bigint | undefined = least.get();
    expect(lowest).toBe(-4n);
    const highest: [number, bigint][] = most.entries();
    expect(highest).toEqual([[process.pid, 33n]]);
    const buckets: [0, { min?: bigint; max?: bigint; count: bigint }[]][] = sizes.entries();
    expect(buckets).toEqual([[0, [{ min: 4n, max: 7n, count: 2n }]]]); // 6, twice, in 4 to 7 (bounds inclusive, as bpftrace's JSON gives them)

    // A RingBuf's events, decoded: both of them, each a Decoded<Ping>.
    const received: { pid: number; phase: "Start" | "Running" | "Done" | number; name: string }[] = [];
    for await (const ping of pings) if (received.push(ping) === 2) break;
    expect(received).toEqual([1, 2].map(() => ({ pid: process.pid, phase: "Running", name: comm() })));
    expect(pings.lost).toBe(0n);

    // A map the probe does not export is not typed, and still read by name.
    expect(p.map("unexported").get(1)).toBe(1);
    expect(Object.keys(p.maps)).toEqual(p.mapInfos.map((m) => m.name));
    expect(p.maps.visits).toBe(visits); // opened once
  } finally {
    p.close();
  }
});
