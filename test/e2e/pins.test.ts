// Probes that outlive their process (runtime/pins/): `tsbpf run --pin DIR` attaches, pins and
// exits, the probe keeps counting, the runtime reads its maps from the pins, and `tsbpf unpin
// DIR` detaches it. Bad pin directories are refused with what to do, and nothing is ever left
// pinned by accident.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, symlinkSync, unlinkSync } from "node:fs";
import { expectNoStack, repo, tsbpf } from "../helpers/tsbpf-command.js";
import { bpfObjectsOf, exists, freed, loadedPrograms, syncfsFromThisProcess } from "../helpers/kernel.js";
import { open, TsbpfError, unpin } from "../../runtime/index.js";

const PROBE = repo("test/fixtures/pins/syncfs-counts.ts");
const PROBE_U32 = repo("test/fixtures/pins/syncfs-counts-u32.ts");
const OTHER_MAPS = repo("test/fixtures/maps/counters.ts");
const HALF_WAY = repo("test/fixtures/pins/long-program-name.ts");
const BPFFS = "/sys/fs/bpf";
const PINS = ["link_onSyncfs", "link_onSyncfsExit", "map_calls", "map_total", "tsbpf"];

/** Every directory a test makes: its pins and itself removed after each test, however it went. */
const made: string[] = [];
function newDir(parent = BPFFS): string {
  const dir = `${parent}/tsbpf-test-${randomBytes(4).toString("hex")}`;
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) {
    const stats = lstatSync(dir, { throwIfNoEntry: false }); // a symbolic link too, whose target is gone
    if (!stats) continue;
    if (stats.isDirectory()) {
      for (const name of readdirSync(dir)) unlinkSync(`${dir}/${name}`);
      rmdirSync(dir);
    } else unlinkSync(dir);
  }
});

/** The pinned links' ids and their programs', by bpftool. */
function pinnedLinks(dir: string): { links: number[]; programs: number[] } {
  const links = readdirSync(dir)
    .filter((n) => n.startsWith("link_"))
    .map((n) => JSON.parse(execFileSync("bpftool", ["link", "show", "pinned", `${dir}/${n}`, "-j"], { encoding: "utf8" })) as { id: number; prog_id: number });
  return { links: links.map((l) => l.id), programs: links.map((l) => l.prog_id) };
}

function pinnedMapIds(dir: string): number[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith("map_"))
    .map((n) => (JSON.parse(execFileSync("bpftool", ["map", "show", "pinned", `${dir}/${n}`, "-j"], { encoding: "utf8" })) as { id: number }).id);
}

const probeLoaded = () => loadedPrograms().filter((p) => ["onSyncfs", "onSyncfsExit", "first"].includes(p.name ?? ""));

function pinWithTsbpf(dir: string): ReturnType<typeof tsbpf> {
  return tsbpf(["run", PROBE, "--param", `TARGET=${process.pid}`, "--pin", dir]);
}

/** The error opening `file` from the pins in `dir` gives (a probe that opens is a failure). */
async function openError(file: string, dir: string): Promise<TsbpfError> {
  const r = await open(file, { pinned: dir }).then(
    (p) => (p.close(), undefined),
    (e: unknown) => e,
  );
  if (!(r instanceof TsbpfError)) throw new Error(`expected a TsbpfError, got ${r}`);
  return r;
}

async function readCounts(dir: string): Promise<[unknown, unknown, unknown]> {
  await using pinned = await open(PROBE, { pinned: dir });
  return [pinned.map("calls").get(0), pinned.map("calls").get(1), pinned.map("total").get(undefined)];
}

test("tsbpf run --pin leaves the probe counting after it exits; the runtime reads it from the pins; tsbpf unpin detaches it", async () => {
  const dir = newDir();
  const r = pinWithTsbpf(dir);
  expect([r.code, r.stderr]).toEqual([
    0,
    `Attached 2 programs (tracepoint:syscalls/sys_enter_syncfs, tracepoint:syscalls/sys_exit_syncfs). Pinned at ${dir}: it runs after tsbpf exits, until \`tsbpf unpin ${dir}\` (\`tsbpf print ${dir}\` prints its maps).\n`,
  ]);
  expect(readdirSync(dir).sort()).toEqual(PINS);
  expect(lstatSync(dir).mode & 0o777).toBe(0o700);
  const { links, programs } = pinnedLinks(dir);
  const maps = pinnedMapIds(dir);
  expect(programs.every((id) => exists("prog", id))).toBe(true);

  // tsbpf has exited: the probe counts on.
  for (let i = 0; i < 3; i++) syncfsFromThisProcess();
  expect(await readCounts(dir)).toEqual([3n, 3n, 3n]);
  // Reading held nothing back: the pins are all that keeps the probe.
  expect(bpfObjectsOf(process.pid).map.filter((id) => maps.includes(id))).toEqual([]);
  syncfsFromThisProcess();
  expect(await readCounts(dir)).toEqual([4n, 4n, 4n]);

  const u = tsbpf(["unpin", dir]);
  expect([u.code, u.stderr]).toEqual([0, `tsbpf: detached onSyncfs, onSyncfsExit (${PROBE}) and removed the pins at ${dir}\n`]);
  expect(existsSync(dir)).toBe(false);
  expect(await freed("link", links)).toEqual(links);
  expect(await freed("prog", programs)).toEqual(programs);
  expect(await freed("map", maps)).toEqual(maps);
});

test("tsbpf print reads a pinned probe's maps as tsbpf run prints them at exit, as JSON, and clears them", async () => {
  const dir = newDir();
  expect(pinWithTsbpf(dir).code).toBe(0);
  for (let i = 0; i < 3; i++) syncfsFromThisProcess();
  const text = tsbpf(["print", dir]);
  expect([text.code, text.stdout, text.stderr]).toEqual([0, "@calls[0]: 3\n@calls[1]: 3\n@total: 3\n", ""]);
  const json = tsbpf(["print", dir, "--json", "--top", "1", "--clear"]);
  expect([json.code, json.stdout]).toEqual([0, '{"type":"map","map":"calls","data":[[1,3]]}\n{"type":"map","map":"total","data":[[0,3]]}\n']);
  syncfsFromThisProcess();
  expect(tsbpf(["print", dir]).stdout).toBe("@calls[0]: 1\n@calls[1]: 1\n@total: 1\n");
  // The probe ran on throughout; printing held nothing of it.
  expect(await readCounts(dir)).toEqual([1n, 1n, 1n]);
  expect(tsbpf(["unpin", dir]).code).toBe(0);
});

test("tsbpf print of a directory without pins, or of pins whose source has moved, says what to do", () => {
  const none = tsbpf(["print", `${BPFFS}/tsbpf-test-none-${randomBytes(4).toString("hex")}`]);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/error: there are no pins at .*\nhint: pin a probe there first: `tsbpf run <probe.ts> --pin <dir>`/);
  expectNoStack(none.stderr);
  const dir = newDir();
  expect(pinWithTsbpf(dir).code).toBe(0);
  const moved = tsbpf(["print", dir, "--source", "/nonexistent/probe.ts"]);
  expect(moved.code).toBe(1);
  expect(moved.stderr).toContain("/nonexistent/probe.ts");
  expectNoStack(moved.stderr);
  expect(tsbpf(["unpin", dir]).code).toBe(0);
});

test("probe.pin(dir) hands the attachments to the pins: close() leaves the probe running, unpin(dir) detaches it", async () => {
  const dir = newDir();
  const probe = await open(PROBE, { params: { TARGET: process.pid } });
  let pinned: { links: number[]; programs: number[] };
  try {
    probe.attach();
    expect(probe.pin(dir)).toBe(dir);
    pinned = pinnedLinks(dir);
    const twice = newDir();
    expect(() => probe.pin(twice)).toThrow(new TsbpfError(`the probe is pinned at ${dir} already`));
    expect(existsSync(twice)).toBe(false);
    syncfsFromThisProcess();
    expect(probe.map("calls").get(0)).toBe(1n); // the same map, read through this probe or the pins
  } finally {
    probe.close();
  }
  syncfsFromThisProcess();
  expect(await readCounts(dir)).toEqual([2n, 2n, 2n]);
  expect(pinned.links.every((id) => exists("link", id))).toBe(true);

  expect(unpin(dir)).toEqual({ dir, source: PROBE, programs: ["onSyncfs", "onSyncfsExit"], maps: ["calls", "total"] });
  expect(await freed("link", pinned.links)).toEqual(pinned.links);
  expect(await freed("prog", pinned.programs)).toEqual(pinned.programs);
});

describe("a failure half-way through pinning removes what it pinned", () => {
  test.each([
    ["a directory it made", false],
    ["an empty directory of the user's", true],
  ])("into %s", async (_, existing) => {
    const dir = newDir();
    if (existing) mkdirSync(dir, { mode: 0o700 });
    const probe = await open(HALF_WAY);
    try {
      probe.attach();
      const held = bpfObjectsOf(process.pid);
      // The record and link_first are pinned before the second program's name is refused.
      expect(() => probe.pin(dir)).toThrow(/^cannot pin the attachment of program 'px+' at .*\/link_px+ \(ENAMETOOLONG\)$/);
      expect(existsSync(dir) && readdirSync(dir)).toEqual(existing ? [] : false);
      probe.close();
      expect(await freed("link", held.link)).toEqual(held.link);
      expect(await freed("prog", held.prog)).toEqual(held.prog);
    } finally {
      probe.close();
    }
  });

  test("tsbpf run --pin says why, with what to do", () => {
    const dir = newDir();
    const r = tsbpf(["run", HALF_WAY, "--pin", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("hint: bpffs takes names of up to 255 bytes, and tsbpf names pins link_<program> and map_<map>: give it a shorter name");
    expectNoStack(r.stderr);
    expect(existsSync(dir)).toBe(false);
  });
});

describe("bad pin directories, each refused before anything is pinned or removed", () => {
  test("a directory not on bpffs", () => {
    const dir = `/tmp/tsbpf-pins-${randomBytes(4).toString("hex")}`;
    const r = pinWithTsbpf(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: /tmp is not on the BPF filesystem (bpffs)\nhint: pins live on bpffs: use a directory under ${BPFFS}, e.g. ${BPFFS}/<name>`);
    expectNoStack(r.stderr);
    expect(existsSync(dir)).toBe(false);
    expect(probeLoaded()).toEqual([]);
  });

  test("a directory whose parent does not exist", () => {
    const dir = `${newDir()}/probe`;
    const r = pinWithTsbpf(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: \/sys\/fs\/bpf\/tsbpf-test-[0-9a-f]+ does not exist\nhint: pins go into a new directory under an existing one on bpffs/);
  });

  test("a directory that already holds pins: the first probe's are kept", async () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const first = pinnedLinks(dir);
    const r = pinWithTsbpf(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}: error: ${dir} already holds pins (link_onSyncfs, link_onSyncfsExit, map_calls, map_total, tsbpf)\nhint: a probe is pinned there: \`tsbpf unpin ${dir}\` detaches it, or pin into another directory`);
    expect(readdirSync(dir).sort()).toEqual(PINS);
    syncfsFromThisProcess();
    expect(await readCounts(dir)).toEqual([1n, 1n, 1n]);
    expect(first.links.every((id) => exists("link", id))).toBe(true);
    expect(tsbpf(["unpin", dir]).code).toBe(0);
  });

  test("the root of a bpffs mount", () => {
    const r = pinWithTsbpf(BPFFS);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${BPFFS} can be written by other users (mode 1777)`);
  });

  test.each([
    ["owned by another user", (dir: string) => chownSync(dir, 65534, 65534), /belongs to uid 65534, not to this user \(uid 0\)/, "hint: tsbpf uses only pins and pin directories of its own user"],
    ["writable by others", (dir: string) => chmodSync(dir, 0o777), /can be written by other users \(mode 777\)/, "hint: another user could have put pins of their own there"],
    ["writable by its group", (dir: string) => chmodSync(dir, 0o770), /can be written by other users \(mode 770\)/, "hint: another user could have put pins of their own there"],
  ])("a directory %s: refused for pinning, opening and unpinning", async (_, spoil, message, hint) => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    spoil(dir);
    const again = newDir();
    mkdirSync(again, { mode: 0o700 });
    spoil(again);
    for (const r of [pinWithTsbpf(again), tsbpf(["unpin", dir])]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(hint);
      expectNoStack(r.stderr);
    }
    expect((await openError(PROBE, dir)).message).toMatch(message);
    expect(readdirSync(dir).sort()).toEqual(PINS); // nothing removed
    expect(readdirSync(again)).toEqual([]);
    chownSync(dir, 0, 0);
    chmodSync(dir, 0o700);
    expect(tsbpf(["unpin", dir]).code).toBe(0);
  });

  test("a symbolic link to a pin directory", () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const link = newDir();
    symlinkSync(dir, link);
    const r = tsbpf(["unpin", link]);
    expect([r.code, r.stderr]).toEqual([1, `${link}: error: ${link} is a symbolic link\nhint: name the pin directory itself\n`]);
    expect(tsbpf(["unpin", dir]).code).toBe(0);
  });
});

describe("opening from pins", () => {
  test("pins that are not there", async () => {
    const dir = newDir();
    await expect(open(PROBE, { pinned: dir })).rejects.toThrow(new TsbpfError(`there are no pins at ${dir}`));
    const e = await openError(PROBE, dir);
    expect(e.options.hint).toBe(`pin the probe first: \`tsbpf run ${PROBE} --pin ${dir}\` or probe.pin(dir)`);
  });

  test("pins of a probe with other maps", async () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const e = await openError(OTHER_MAPS, dir);
    expect(e.message).toBe(`${dir} has no pin of map 'hits', which ${OTHER_MAPS} declares`);
    expect(e.options.hint).toBe(`its pinned maps are calls, total: open the pins with the source they were made from (${PROBE}), as it was then`);
  });

  test("pins of the same maps with other types", async () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const e = await openError(PROBE_U32, dir);
    expect(e.message).toBe(`the map pinned at ${dir}/map_calls is not the 'calls' that ${PROBE_U32} declares`);
    expect(e.options.detail).toBe("pinned: map type 2, 4-byte keys, 8-byte values, 2 entries\ndeclared: map type 2, 4-byte keys, 4-byte values, 2 entries");
  });

  test("a probe opened from pins loads and attaches nothing", async () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const before = bpfObjectsOf(process.pid);
    await using pinned = await open(PROBE, { pinned: dir });
    expect(pinned.attach()).toEqual([]);
    expect(bpfObjectsOf(process.pid).prog).toEqual(before.prog);
    expect(probeLoaded()).toHaveLength(2); // the pinned ones only
  });
});

describe("tsbpf unpin", () => {
  test("a directory tsbpf did not pin into is left as it is", () => {
    const dir = newDir();
    mkdirSync(dir, { mode: 0o700 });
    execFileSync("bpftool", ["map", "create", `${dir}/theirs`, "type", "array", "key", "4", "value", "4", "entries", "1", "name", "theirs"]);
    const r = tsbpf(["unpin", dir]);
    expect([r.code, r.stderr]).toEqual([
      1,
      `${dir}: error: ${dir} holds no pins made by tsbpf (it has no tsbpf record)\nhint: tsbpf reads and removes only pins it made (\`tsbpf run --pin\`, probe.pin()); remove other pins yourself (rm)\n`,
    ]);
    expect(readdirSync(dir)).toEqual(["theirs"]);
  });

  test("a record that is not tsbpf's is not trusted", () => {
    const dir = newDir();
    mkdirSync(dir, { mode: 0o700 });
    execFileSync("bpftool", ["map", "create", `${dir}/tsbpf`, "type", "array", "key", "4", "value", "64", "entries", "1", "name", "tsbpf_pins"]);
    const r = tsbpf(["unpin", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${dir}/tsbpf is not a record of pins made by this version of tsbpf`);
    expect(readdirSync(dir)).toEqual(["tsbpf"]);
  });

  test("pins of others beside tsbpf's: nothing is removed", () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    const { links } = pinnedLinks(dir);
    execFileSync("bpftool", ["map", "create", `${dir}/extra`, "type", "array", "key", "4", "value", "4", "entries", "1", "name", "extra"]);
    const r = tsbpf(["unpin", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${dir} also holds 'extra', which tsbpf did not pin there\nhint: remove it yourself (rm ${dir}/extra), then unpin again: tsbpf removes only what it pinned`);
    expect(readdirSync(dir).sort()).toEqual([...PINS, "extra"].sort());
    expect(links.every((id) => exists("link", id))).toBe(true);
    unlinkSync(`${dir}/extra`);
    expect(tsbpf(["unpin", dir]).code).toBe(0);
  });

  test("pins gone already (a pinning killed half-way) are passed over", () => {
    const dir = newDir();
    expect(pinWithTsbpf(dir).code).toBe(0);
    unlinkSync(`${dir}/link_onSyncfs`);
    unlinkSync(`${dir}/map_total`);
    expect(unpin(dir)).toEqual({ dir, source: PROBE, programs: ["onSyncfsExit"], maps: ["calls"] });
    expect(existsSync(dir)).toBe(false);
  });

  test("a directory that is not there; no directory named", () => {
    const dir = newDir();
    expect(tsbpf(["unpin", dir])).toEqual({ code: 1, stdout: "", stderr: `${dir}: error: there are no pins at ${dir}\nhint: nothing is pinned there: \`tsbpf run <probe.ts> --pin DIR\` pins a probe\n` });
    expect(tsbpf(["unpin"]).stderr).toContain("tsbpf: name the pin directory\nusage: tsbpf unpin <dir>");
    expect(tsbpf(["unpin", "--help"]).stdout).toBe(
      "tsbpf unpin — detach a probe that `tsbpf run --pin <dir>` left running, and remove its pins\n\nusage: tsbpf unpin <dir>\n\noptions:\n  -h, --help  show this help\n",
    );
  });
});

test("--pin takes no --duration or --interval", () => {
  for (const extra of [["--duration", "1"], ["--interval", "1"]]) {
    const r = tsbpf(["run", PROBE, "--pin", newDir(), ...extra]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining("tsbpf: --pin leaves the probe running after tsbpf exits: it takes no --duration or --interval")]);
  }
});
