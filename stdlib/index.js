// Probe files are compiled by tsbpf, never run by Node: importing "tsbpf" at run time is a
// mistake, and saying so beats a confusing `undefined is not a function` later.
"use strict";
throw new Error(
  'The "tsbpf" module is for probe code that `tsbpf build` compiles to BPF; it cannot run in Node. ' +
    'User-space code imports "tsbpf/runtime" instead.',
);
