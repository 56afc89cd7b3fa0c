// perf_event programs (perfEvent, interval): a perf event opened on each CPU (interval: on one),
// the program attached to each, detached together. The event comes from the manifest's target,
// "software/cpu-clock/frequency=99" (compiler/kinds/perf-event.ts).

import { readFileSync } from "node:fs";
import { TsbpfError } from "../../contract/errors.js";
import { parsePerfEventTarget, PERF_EVENTS, PERF_TYPES, type PerfEventTarget } from "../../contract/perf-events.js";
import { libc } from "../../native/libc.js";
import { Errno, errnoText, lastErrno, libbpf, takeLibbpfMessages } from "../../native/libbpf.js";
import type { LoadedProgram } from "../loader.js";
import { declarationSpan } from "../source-span.js";
import { linkGroup, ownLink, type Link } from "./link.js";
import type { ProgramAttacher } from "./program-attacher.js";

/** PERF_ATTR_SIZE_VER5: the fields set here are all in it, and every kernel since 4.1 takes it. */
const ATTR_SIZE = 112;
const FLAG_FREQ = 1n << 10n;
const PERF_FLAG_FD_CLOEXEC = 8;

export const perfEventAttacher: ProgramAttacher = { kind: "perfEvent", attach: (p, file) => attachPerfEvent(p, file, onlineCpus()) };
export const intervalAttacher: ProgramAttacher = { kind: "interval", attach: (p, file) => attachPerfEvent(p, file, onlineCpus().slice(0, 1)) };

type Event = PerfEventTarget;

function parseTarget(target: string): Event {
  const e = parsePerfEventTarget(target);
  if (!e) throw new Error(`internal error: a perf event target '${target}' the compiler does not make`);
  return e;
}

/** struct perf_event_attr for `e`: a sampling event, enabled, counting kernel and user. */
function attr(e: Event): Buffer {
  const b = Buffer.alloc(ATTR_SIZE);
  b.writeUInt32LE(PERF_TYPES[e.type], 0);
  b.writeUInt32LE(ATTR_SIZE, 4);
  b.writeBigUInt64LE(BigInt(PERF_EVENTS[e.type][e.config]), 8);
  // interval: a cpu-clock period in nanoseconds; otherwise the rate as given.
  b.writeBigUInt64LE(BigInt(e.rate === "interval" ? e.value * 1_000_000 : e.value), 16);
  b.writeBigUInt64LE(e.rate === "frequency" ? FLAG_FREQ : 0n, 40);
  return b;
}

function attachPerfEvent(p: LoadedProgram, file: string, cpus: number[]): Link {
  const e = parseTarget(p.info.target);
  const at = declarationSpan(file, p.info.line, p.info.column, p.info.name.length);
  const links: Link[] = [];
  try {
    for (const cpu of cpus) {
      const fd = libc().perfEventOpen(attr(e), -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
      if (fd < 0) throw openFailed(e, lastErrno(), at);
      const link = libbpf().attachPerfEvent(p.handle, fd);
      if (!link) {
        const errno = lastErrno();
        libc().close(fd);
        throw new TsbpfError(`cannot attach program '${p.info.name}' to the perf event on CPU ${cpu} (${errnoText(errno)})`, { at, detail: takeLibbpfMessages().join("") });
      }
      links.push(ownLink(link, `perf_event:${e.config}:cpu${cpu}`));
    }
  } catch (err) {
    links.forEach((l) => l.destroy());
    throw err;
  }
  return linkGroup(links, `perf_event:${e.type}/${e.config} on ${cpus.length === 1 ? `CPU ${cpus[0]}` : `${cpus.length} CPUs`}`);
}

function openFailed(e: Event, errno: number, at: ReturnType<typeof declarationSpan>): TsbpfError {
  const what = `cannot open the ${e.type} perf event '${e.config}' (${errnoText(errno)})`;
  if (e.type === "hardware" && (errno === Errno.ENOENT || errno === Errno.EOPNOTSUPP || errno === Errno.ENODEV))
    return new TsbpfError(what, { at, hint: "this machine has no hardware performance counters (no PMU: a virtual machine usually has none): sample the software event cpu-clock instead" });
  if (errno === Errno.EINVAL && e.rate === "frequency") {
    const max = readFileSync("/proc/sys/kernel/perf_event_max_sample_rate", "utf8").trim();
    if (e.value > Number(max)) return new TsbpfError(`${what}: ${e.value} samples a second is more than this kernel allows (${max})`, { at, hint: `sample at most ${max} times a second (kernel.perf_event_max_sample_rate); 49 or 99 is usual` });
  }
  if (errno === Errno.EACCES || errno === Errno.EPERM) return new TsbpfError(what, { at, hint: "perf events need CAP_PERFMON (or root), and kernel.perf_event_paranoid may forbid them" });
  return new TsbpfError(what, { at });
}

/** The CPUs online now, from /sys/devices/system/cpu/online ("0-3,6"). */
function onlineCpus(): number[] {
  const cpus: number[] = [];
  for (const range of readFileSync("/sys/devices/system/cpu/online", "utf8").trim().split(",")) {
    const [a, b] = range.split("-").map(Number);
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}
