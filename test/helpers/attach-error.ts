// The error attaching a one-program probe gives: written to `path`, opened, attached; the error
// must stand at the program's target (line 3, `column`), where user-space probes name what they
// could not find.
import { writeFileSync } from "node:fs";
import { open, TsbpfError } from "../../runtime/index.js";

/** `kind("target", (n: i32) => {})` in `path`: the TsbpfError its attach throws, checked to be at the target. */
export async function targetAttachError(path: string, kind: "uprobe" | "usdt", target: string): Promise<TsbpfError> {
  const prefix = `export const bad = ${kind}(`;
  writeFileSync(path, `import { ${kind}, type i32 } from "tsbpf";\n\n${prefix}"${target}", (n: i32) => {});\n`);
  await using probe = await open(path);
  try {
    probe.attach();
  } catch (e) {
    expect(e).toBeInstanceOf(TsbpfError);
    const err = e as TsbpfError;
    expect([err.at?.file, err.at?.line, err.at?.column]).toEqual([path, 3, prefix.length + 1]);
    return err;
  }
  throw new Error(`attached to ${target}`);
}
