// `open<typeof probe>(…)` in a project that depends on tsbpf: the maps are typed from the probe's
// declarations (runtime/maps/probe-maps.ts), right uses compile and each wrong one is the
// TypeScript error it should be, at its line. Checked by tsc itself, as an editor would.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo } from "../helpers/tsbpf-command.js";

const HEADER = [
  'import { open, type Decoded, type Encodable, type EventStream, type HistogramBucket, type ProbeMap } from "tsbpf/runtime";',
  'import type { Errno, FixedArray, i16, i64, Ipv4Addr, Ipv6Addr, KernelAddress, Ptr, Str, SyscallNr, u32, u64, u8 } from "tsbpf";',
  'import type * as probe from "./probe.js";',
  "type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;",
  "declare const p: Awaited<ReturnType<typeof open<typeof probe>>>;",
  'const who = { pid: 1, name: "bash" };',
];

// Each line compiles, and each `Same` holds.
const GOOD = [
  // Formatted types decode as the runtime shows them: names and addresses as strings, an Errno as its number.
  "const shown: Same<Decoded<{ nr: SyscallNr; err: Errno; v4: Ipv4Addr; v6: Ipv6Addr; at: KernelAddress; plain: u32 }>, { nr: string; err: number; v4: string; v6: string; at: string; plain: number }> = true;",
  "type Phase = 'Start' | 'Running' | 'Done' | number;",
  "const visit: Same<ReturnType<typeof p.maps.visits.get>, { pid: number; calls: bigint; name: string; phase: Phase; seen: boolean; where: { x: number; y: number }; last: number[]; delta: bigint }> = true;",
  "p.maps.visits.set(0, { pid: 1, calls: 2, name: 'x', phase: 'Done', seen: true, where: { x: -1, y: 2 }, last: [1, 2, 3], delta: -5n });",
  "const visitEntries: Same<ReturnType<typeof p.maps.visits.entries>[number][0], number> = true;",
  "const count: Same<ReturnType<typeof p.maps.byWho.get>, bigint | undefined> = true;",
  "p.maps.byWho.set(who, 5n); p.maps.byWho.set(who, 5); p.maps.byWho.delete(who); p.maps.byWho.has(who); p.maps.byWho.clear();",
  "const whoKeys: Same<ReturnType<typeof p.maps.byWho.keys>, { pid: number; name: string }[]> = true;",
  "const recent: Same<ReturnType<typeof p.maps.recent.entries>, [Phase, number][]> = true;",
  "p.maps.recent.set('Running', 4); p.maps.recent.set(2, 4);",
  "const perCpu: Same<[ReturnType<typeof p.maps.perCpu.get>, ReturnType<typeof p.maps.perCpu.sum>], [bigint[], bigint]> = true;",
  "const perCpuByPid: Same<[ReturnType<typeof p.maps.perCpuByPid.get>, ReturnType<typeof p.maps.perCpuByPid.sum>], [number[] | undefined, number | undefined]> = true;",
  "const calls: Same<[ReturnType<typeof p.maps.calls.get>, ReturnType<typeof p.maps.calls.entries>], [bigint, [0, bigint][]]> = true;",
  "const byComm: Same<[ReturnType<typeof p.maps.callsByComm.get>, ReturnType<typeof p.maps.callsByComm.entries>], [bigint | undefined, [string, bigint][]]> = true;",
  "const total: Same<Parameters<typeof p.maps.total.get>, [key: number]> = true;",
  "const least: Same<ReturnType<typeof p.maps.least.get>, bigint | undefined> = true;",
  "const most: Same<ReturnType<typeof p.maps.most.entries>, [number, bigint][]> = true;",
  "const sizes: Same<ReturnType<typeof p.maps.sizes.entries>, [0, HistogramBucket[]][]> = true;",
  // The other way to name the module, and untyped use.
  "declare const q: Awaited<ReturnType<typeof open<typeof import('./probe.js')>>>;",
  "const viaImport: Same<typeof q.maps, typeof p.maps> = true;",
  "declare const u: Awaited<ReturnType<typeof open>>;",
  "const untyped: ProbeMap | EventStream = u.maps.anything; u.map('anything').has({}); u.mapInfos.map((m) => m.kind);",
  // Decoded on its own: every kind of field, an enum the module does not export.
  "interface Event { a: u8; b: u64; c: i64; s: Str<4>; f: FixedArray<i64, 2>; at: Ptr<u8>; n: number; ok: boolean; inner: { x: i16 } }",
  "const decoded: Same<Decoded<Event>, { a: number; b: bigint; c: bigint; s: string; f: bigint[]; at: bigint; n: bigint; ok: boolean; inner: { x: number } }> = true;",
  "const encodable: Same<Encodable<Event>['b' | 'f' | 'a'], number | bigint | readonly (number | bigint)[]> = true;",
  "const enum Local { A = 1 }",
  "const local: Same<Decoded<{ l: Local }>, { l: string | number }> = true;",
  // A RingBuf is a stream of decoded events.
  "const pings: Same<typeof p.maps.pings, EventStream<{ pid: number; phase: Phase; name: string }>> = true;",
  "async function iterate() { for await (const ping of p.maps.pings) { const name: string = ping.name; } }",
  "p.maps.pings.consume((batch) => batch.map((ping) => ping.pid.toFixed()));",
];

// Each line is one mistake: [code, the error's code, what its message says].
const BAD: [string, string, string][] = [
  ["p.maps.byWho.get({ pid: '1', name: 'x' });", "TS2322", "Type 'string' is not assignable to type 'number'."],
  ["p.maps.nope;", "TS2339", "Property 'nope' does not exist on type 'ProbeMaps<typeof import("],
  ["p.maps.byWho.set(who, '5');", "TS2345", "Argument of type 'string' is not assignable to parameter of type 'number | bigint'."],
  ["p.maps.unexported;", "TS2339", "Property 'unexported' does not exist"],
  ["p.maps.onSyncfs;", "TS2339", "Property 'onSyncfs' does not exist"],
  ["p.maps.Phase;", "TS2339", "Property 'Phase' does not exist"],
  ["p.maps.visits.delete(0);", "TS2339", "Property 'delete' does not exist on type 'ArrayMapView<Visit, typeof Phase>'."],
  ["p.maps.calls.get('x');", "TS2554", "Expected 0 arguments, but got 1."],
  ["p.maps.callsByComm.get();", "TS2554", "Expected 1 arguments, but got 0."],
  ["p.maps.recent.set('Begin', 1);", "TS2345", `Argument of type '"Begin"' is not assignable to parameter of type 'number | "Start" | "Running" | "Done"'.`],
  ["p.maps.perCpuByPid.get(1n);", "TS2345", "Argument of type 'bigint' is not assignable to parameter of type 'number'."],
  ["p.maps.perCpuPoints.sum(0);", "TS2349", "This expression is not callable."],
  ["p.maps.visits.set(0, { pid: 1 });", "TS2345", "Argument of type '{ pid: number; }' is not assignable to parameter of type 'EncodableStruct<Visit, typeof Phase>'."],
  ["const n: number = p.maps.byWho.get(who);", "TS2322", "Type 'bigint | undefined' is not assignable to type 'number'."],
  ["p.maps.sizes.get(0);", "TS2554", "Expected 0 arguments, but got 1."],
  ["p.maps.pings.get(0);", "TS2339", "Property 'get' does not exist on type 'EventStream<"],
];

function tscErrors(dir: string): string[] {
  const r = spawnSync(process.execPath, [repo("node_modules/typescript/bin/tsc"), "-p", dir], { cwd: dir, encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => / error TS\d+/.test(l));
}

test("open<typeof probe>(): the maps' types, and the errors a wrong use gives", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-typed-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repo(), join(dir, "node_modules", "tsbpf"));
    const compilerOptions = {
      strict: true,
      target: "es2022",
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["es2023", "esnext.disposable"],
      types: ["node"],
      typeRoots: [repo("node_modules/@types")],
      noEmit: true,
      skipLibCheck: true,
      noUnusedLocals: false,
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["good.ts", "bad.ts"] }));
    copyFileSync(repo("test/fixtures/maps/typed-maps.ts"), join(dir, "probe.ts"));
    writeFileSync(join(dir, "good.ts"), [...HEADER, ...GOOD, "export {};"].join("\n"));
    writeFileSync(join(dir, "bad.ts"), [...HEADER, ...BAD.map(([code]) => code), "export {};"].join("\n"));
    const errors = tscErrors(dir);
    // Nothing in good.ts (nor in the probe, nor in the runtime's declarations).
    expect(errors.filter((e) => !e.startsWith("bad.ts("))).toEqual([]);
    // One error per line of bad.ts, the one expected.
    const found = errors.map((e) => {
      const [, line, code, message] = /^bad\.ts\((\d+),\d+\): error (TS\d+): (.*)$/.exec(e)!;
      return { line: Number(line), code, message };
    });
    expect(found.map((f) => f.line)).toEqual(BAD.map((_, i) => HEADER.length + i + 1));
    BAD.forEach(([code, tsCode, message], i) => expect([code, found[i].code, found[i].message]).toEqual([code, tsCode, expect.stringContaining(message)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
