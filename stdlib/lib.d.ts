// The only globals probe code sees when tsbpf compiles it (`noLib`): the handful of interfaces
// TypeScript's checker cannot work without, and nothing that could not run in the kernel.
// No Math, no JSON, no console: using them is a type error at its line. Editors may use the full
// lib instead; the compiler still refuses what this file does not declare.

interface Array<T> {
  readonly length: number;
  [n: number]: T;
}
interface ReadonlyArray<T> {
  readonly length: number;
  readonly [n: number]: T;
}
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {
  readonly length: number;
}
interface Symbol {}
interface TemplateStringsArray extends ReadonlyArray<string> {}
interface BigInt {}
