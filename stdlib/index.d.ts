// `import … from "tsbpf"` in probe code. These declarations are what the editor and the
// compiler's type checker see; the compiler lowers each of them to BPF. Nothing here runs in Node.
// They are split by topic; every .d.ts in this folder but lib.d.ts is tsbpf's (decisions D65).
// The `.js` specifiers are how editors (moduleResolution bundler or nodenext) find the .d.ts.

export * from "./integers.js";
export * from "./aggregates.js";
export * from "./memory.js";
export * from "./programs.js";
export * from "./params.js";
export * from "./helpers.js";
export * from "./maps.js";
export * from "./formats.js";
