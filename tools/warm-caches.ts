// After `npm ci` builds tsbpf (package.json's `prepare`): two builds of the bundled example
// through the CLI, so that this user's first `tsbpf run` finds what builds keep in the cache —
// V8's code cache for TypeScript and tsbpf's modules (the first build), then the compiler's
// start-up snapshot (made by the second, D156) — instead of paying for them itself: without
// this, a new user's first run took 0.8 s and their second paused 1–2 s to make the snapshot
// (D198). Only tsbpf's own code runs, on its own example. It never fails the install: a build
// that cannot run here (no tracefs to read as this user, no libLLVM yet, a cache that is not
// this user's) only leaves the caches to the first runs, as before, and says so in one line.

import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../contract/paths.js";

/** A build takes 0.3–3 s; one that takes a minute is stuck, and the install must go on. */
const BUILD_TIMEOUT_MS = 60_000;

function build(): { ok: boolean; why?: string } {
  const r = spawnSync(process.execPath, [join(packageRoot, "bin", "tsbpf"), "build", join(packageRoot, "examples", "hello-syncfs.ts"), "-o", "/dev/null"], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    timeout: BUILD_TIMEOUT_MS,
  });
  if (r.error) return { ok: false, why: r.error.message };
  if (r.status !== 0) return { ok: false, why: firstLine(r.stderr) || `exit ${r.status ?? r.signal}` };
  // A cache it could not use is a warning, not a failure: nothing was warmed.
  const warning = r.stderr.split("\n").find((l) => l.startsWith("tsbpf: warning:"));
  return warning ? { ok: false, why: warning.replace(/^tsbpf: warning: /, "") } : { ok: true };
}

const firstLine = (text: string) => text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";

/**
 * Whether npm runs this for a checkout it is installing in place (`npm ci` in it: INIT_CWD, the
 * folder npm was started in, is this one), not for a git dependency it prepares in a folder of
 * its own and then copies elsewhere: caches are named for the folder tsbpf runs from.
 */
function installedHere(): boolean {
  const started = process.env.INIT_CWD;
  if (started === undefined) return true; // run by hand
  try {
    return realpathSync(started) === realpathSync(packageRoot);
  } catch {
    return false;
  }
}

function main(): void {
  if (process.env.TSBPF_NO_WARM_UP || !installedHere()) return;
  for (let i = 0; i < 2; i++) {
    const r = build();
    if (!r.ok) {
      process.stdout.write(`tsbpf: this user's caches were not warmed (${r.why}); the first runs make them\n`);
      return;
    }
  }
  process.stdout.write("tsbpf: warmed this user's caches: the first `tsbpf run` starts as later ones do\n");
}

main();
