import { compile, TsbpfError } from "../../compiler/compile.js";

/** The TsbpfError compiling `file` (uncached) gives, or undefined if it compiles; anything else is thrown on. */
export function compileErrorOf(file: string): TsbpfError | undefined {
  try {
    compile(file, { cache: false });
    return undefined;
  } catch (e) {
    if (e instanceof TsbpfError) return e;
    throw e;
  }
}
