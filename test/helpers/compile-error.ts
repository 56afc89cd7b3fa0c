import { compile, TsbpfError } from "../../compiler/compile.js";

/** The TsbpfError compiling `file` (uncached, for `cpu`) gives, or undefined if it compiles; anything else is thrown on. */
export function compileErrorOf(file: string, cpu?: "v1" | "v2" | "v3"): TsbpfError | undefined {
  try {
    compile(file, { cache: false, cpu });
    return undefined;
  } catch (e) {
    if (e instanceof TsbpfError) return e;
    throw e;
  }
}
