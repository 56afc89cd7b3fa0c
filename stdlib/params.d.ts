// Part of `import … from "tsbpf"` (index.d.ts re-exports it): declarations the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.

// ── Load-time parameters ─────────────────────────────────────────────────────────────────────
/**
 * A read-only value set when the probe is loaded (`tsbpf run --param NAME=V`, or `params` in
 * the runtime's `open()`); `defaultValue` when not set. Declare at the top level:
 * `const TARGET_PID = param<u32>("TARGET_PID", 0);`
 */
export declare function param<T extends number>(name: string, defaultValue: T): T;
