// The object's BTF describes the author's types as C does (D60): `bpftool btf dump` shows each
// interface as a struct whose members sit at the compiler's own offsets, a function passes
// them by pointer, the kernel takes the BTF with both LLVM 14 (typed pointers) and 15+, and
// `bpftool map dump` prints the load-time parameters field by field.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCheckedSource } from "../../compiler/frontend/checked-source.js";
import { probeTypeOf, type StructType } from "../../compiler/frontend/probe-types.js";
import { open } from "../../runtime/index.js";
import { structLayout } from "../../contract/c-layout.js";
import { repo, tsbpf } from "../helpers/tsbpf-command.js";
import { libLLVMs } from "../helpers/libllvm-versions.js";

const FIXTURE = repo("test/fixtures/language/btf-types.ts");
const PIN = `/sys/fs/bpf/tsbpf-btf-test-${process.pid}`;
const bpftool = (...args: string[]) => execFileSync("bpftool", args, { encoding: "utf8" });

interface BtfMember {
  name: string;
  type_id: number;
  bits_offset: number;
}
interface BtfType {
  id: number;
  kind: string;
  name: string;
  size?: number;
  type_id?: number;
  members?: BtfMember[];
  params?: { name: string; type_id: number }[];
}

/** The compiler's layout of each interface the fixture declares, by name. */
function compilerLayouts(): Map<string, StructType> {
  const p = loadCheckedSource(FIXTURE);
  const layouts = new Map<string, StructType>();
  for (const stmt of p.source.statements) {
    if (!p.ts.isInterfaceDeclaration(stmt) || stmt.typeParameters) continue;
    const t = probeTypeOf(p, p.checker.getTypeAtLocation(stmt.name), stmt);
    if (t.kind === "struct") layouts.set(t.name, t);
  }
  return layouts;
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "tsbpf-btf-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => rmSync(PIN, { recursive: true, force: true }));

describe.each(libLLVMs())("with %s", (lib) => {
  let object: string;
  beforeAll(() => {
    object = join(dir, `${lib}.bpf.o`);
    const r = tsbpf(["build", FIXTURE, "-o", object], { env: { TSBPF_LIBLLVM: lib } });
    expect([r.stderr, r.code]).toEqual([expect.any(String), 0]);
  });

  test("bpftool shows the interfaces as C structs", () => {
    const c = bpftool("btf", "dump", "file", object, "format", "c");
    const struct = (name: string) => c.match(new RegExp(`^struct ${name} \\{\\n[^}]*\\};`, "m"))?.[0];
    expect(struct("Sample")).toBe(
      [
        "struct Sample {",
        "\tu8 flag;",
        "\tstruct Point origin;",
        "\tu16 samples[3];",
        "\tchar name[16];",
        "\tbool enabled;",
        "\tu8 level;",
        "\ti64 total;",
        "\tstruct Pair small;",
        "\tstruct Pair_1 wide;",
        "\tvoid *where;",
        "};",
      ].join("\n"),
    );
    expect(struct("Point")).toBe("struct Point {\n\tu32 x;\n\tu32 y;\n};");
    // Two instances of one generic interface: two structs, the second one's name made unique.
    expect(struct("Pair")).toBe("struct Pair {\n\tu8 first;\n\tu8 second;\n};");
    expect(struct("Pair_1")).toBe("struct Pair_1 {\n\tu32 first;\n\tu32 second;\n};");
    expect(struct("tsbpf_params")).toBe("struct tsbpf_params {\n\tu8 LEVEL;\n\tu16 PORT;\n\tu32 LIMIT;\n\ti64 OFFSET;\n};");
  });

  test("each struct's size and members' offsets are the compiler's layout, each struct once", () => {
    const types: BtfType[] = JSON.parse(bpftool("btf", "dump", "file", object, "-j")).types;
    const layouts = compilerLayouts();
    expect([...layouts.keys()].sort()).toEqual(["Point", "Sample"]);
    for (const [name, layout] of layouts) {
      const found = types.filter((t) => t.kind === "STRUCT" && t.name === name);
      expect(found).toHaveLength(1);
      const { size, offsets } = structLayout(layout);
      expect({ size: found[0].size, members: found[0].members!.map((m) => [m.name, m.bits_offset]) }).toEqual({
        size,
        members: layout.fields.map((f, i) => [f.name, offsets[i] * 8]),
      });
    }
  });

  test("a function takes and returns a struct by pointer to its type", () => {
    const types: BtfType[] = JSON.parse(bpftool("btf", "dump", "file", object, "-j")).types;
    const byId = new Map(types.map((t) => [t.id, t]));
    const fn = types.find((t) => t.kind === "FUNC" && t.name === "shifted")!;
    const proto = byId.get(fn.type_id!)!;
    const described = proto.params!.map((p) => {
      const t = byId.get(p.type_id)!;
      return [p.name, t.kind, t.kind === "PTR" ? byId.get(t.type_id!)?.name : t.name];
    });
    // The result is written through the pointer the caller passes first (sret).
    expect(described).toEqual([
      ["result", "PTR", "Sample"],
      ["s", "PTR", "Sample"],
      ["by", "INT", "u32"],
    ]);
  });

  test("bpftool loads it with kernel BTF and dumps the parameters field by field", () => {
    bpftool("prog", "loadall", object, PIN);
    const prog = JSON.parse(bpftool("prog", "show", "pinned", join(PIN, "first"), "-j"));
    expect(typeof prog.btf_id).toBe("number");
    const maps = (prog.map_ids as number[]).map((id) => JSON.parse(bpftool("map", "show", "id", String(id), "-j")));
    const params = maps.find((m) => m.name === ".rodata.params");
    expect(params).toBeDefined();
    const [entry] = JSON.parse(bpftool("map", "dump", "id", String(params.id), "-j"));
    expect(entry.formatted.value).toEqual({ ".rodata.params": [{ tsbpf_params: { LEVEL: 3, PORT: 8080, LIMIT: 100000, OFFSET: -5 } }] });
  });
});

test("the runtime loads it with kernel BTF", async () => {
  const probe = await open(FIXTURE, { cache: false, params: { LEVEL: 9n } });
  try {
    expect(probe.kernelBtf).toBe(true);
    expect(probe.programs.map((p) => p.name)).toEqual(["first", "second"]);
  } finally {
    probe.close();
  }
});
