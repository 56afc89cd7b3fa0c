// The object `tsbpf build` writes is a plain libbpf object: bpftool loads it without tsbpf, and
// its BTF line info carries the TypeScript source.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repo, tsbpf } from "../helpers/tsbpf-command.js";
import { libLLVMs } from "../helpers/libllvm-versions.js";

const PIN = `/sys/fs/bpf/tsbpf-test-${process.pid}`;
const bpftool = (...args: string[]) => execFileSync("bpftool", args, { encoding: "utf8" });

afterEach(() => rmSync(PIN, { recursive: true, force: true }));

describe("tsbpf build", () => {
  test("writes an object bpftool loads, with the program in its tracepoint section and TS line info", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-"));
    const out = join(dir, "hello.bpf.o");
    const r = tsbpf(["build", repo("examples/hello-syncfs.ts"), "-o", out, "--emit-llvm"]);
    expect(r.stderr).toContain(`wrote ${out}`);
    expect(r.code).toBe(0);

    const sections = execFileSync("readelf", ["-S", "-W", out], { encoding: "utf8" });
    expect(sections).toContain("tracepoint/syscalls/sys_enter_syncfs");
    expect(sections).toMatch(/\blicense\b/);
    expect(sections).toMatch(/\.BTF\b/);
    expect(sections).toMatch(/\.BTF\.ext\b/);
    expect(readFileSync(join(dir, "hello.bpf.ll"), "utf8")).toContain('section "tracepoint/syscalls/sys_enter_syncfs"');

    bpftool("prog", "loadall", out, PIN);
    const shown = JSON.parse(bpftool("prog", "show", "pinned", `${PIN}/hello`, "-j"));
    expect(shown).toMatchObject({ type: "tracepoint", name: "hello", gpl_compatible: true });
    // The kernel's copy of the line info quotes the TypeScript source.
    expect(bpftool("prog", "dump", "xlated", "pinned", `${PIN}/hello`, "linum")).toMatch(/printf\("syncfs called\\n"\);.*hello-syncfs\.ts/);
    rmSync(dir, { recursive: true });
  });

  // Typed (LLVM 14) and opaque pointers alike, every example, language fixture, map and kind fixture: built in
  // parts where there are several programs (--jobs 3), loaded by bpftool (the verifier), with
  // BTF the kernel takes for every program.
  const probes = [
    ...readdirSync(repo("examples")).filter((f) => f.endsWith(".ts")).map((f) => repo("examples", f)),
    ...readdirSync(repo("test/fixtures/language")).map((f) => repo("test/fixtures/language", f)),
    // Declared maps (their values in registers as { present, value } pairs) and program kinds.
    ...["counters", "shared-in-parts", "enum-values", "many-lookups", "hash-counts", "kinds", "set-modes", "histogram", "aggregations", "extremes"].map((f) => repo("test/fixtures/maps", `${f}.ts`)),
    repo("test/fixtures/kinds/raw-sys-enter.ts"),
  ];
  test.each(libLLVMs())("builds every example and language fixture with %s", (lib) => {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-"));
    for (const probe of probes) {
      const out = join(dir, "probe.bpf.o");
      const r = tsbpf(["build", probe, "-o", out, "--jobs", "3"], { env: { TSBPF_LIBLLVM: lib } });
      expect([probe, r.code]).toEqual([probe, 0]);
      bpftool("prog", "loadall", out, PIN);
      const names = readdirSync(PIN);
      expect([probe, names.length > 0]).toEqual([probe, true]);
      for (const name of names) {
        const id = JSON.parse(bpftool("prog", "show", "pinned", join(PIN, name), "-j")).btf_id;
        expect([probe, name, typeof id]).toEqual([probe, name, "number"]);
      }
      rmSync(PIN, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true });
  });
});
