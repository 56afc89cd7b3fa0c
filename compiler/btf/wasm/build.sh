#!/usr/bin/env bash
# Builds declarations.wasm from declarations.c (D202). The .wasm is committed: users need no
# compiler; test/unit/btf-declarations-wasm.test.ts checks that it is this file's build.
# Needs clang 14 and wasm-ld 14 (Debian: clang-14, lld-14).
set -euo pipefail
cd "$(dirname "$0")"
clang-14 --target=wasm32 -O2 -mbulk-memory -nostdlib \
  -Wall -Wextra -Werror \
  -fuse-ld=/usr/lib/llvm-14/bin/wasm-ld -Wl,--no-entry -Wl,--strip-all \
  -o "${1:-declarations.wasm}" declarations.c
