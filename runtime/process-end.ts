// Clean-ups that must run however the process ends: a normal exit, process.exit(), an uncaught
// error, or SIGINT / SIGTERM / SIGHUP that nobody else handles. (SIGKILL runs nothing: whoever
// comes next removes what was left, e.g. trace-instance.ts's stale instances.)

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const cleanups = new Set<() => void>();

function runAll(): void {
  for (const cleanup of [...cleanups]) {
    // One clean-up may release what another was registered for (Probe.close closes its trace
    // pipe, which then forgets its own): that one has nothing left to do.
    if (!cleanups.delete(cleanup)) continue;
    try {
      cleanup();
    } catch {
      // the process is ending: one failed clean-up must not stop the others
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (tsbpf run's, a program's own) stops and closes what it opened: leave it
  // to that one. Ours is prepended, so a `once` listener has not removed itself yet.
  if (process.listenerCount(signal) > 1) return;
  runAll();
  unhook();
  // With no listener left Node restores the default action: die of the signal, as we would have.
  process.kill(process.pid, signal);
}

function hook(): void {
  process.on("exit", runAll);
  for (const s of SIGNALS) process.prependListener(s, onSignal);
}

function unhook(): void {
  process.off("exit", runAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Runs `cleanup` when the process ends, unless the returned function is called first. */
export function atProcessEnd(cleanup: () => void): () => void {
  if (!cleanups.size) hook();
  cleanups.add(cleanup);
  return () => {
    if (cleanups.delete(cleanup) && !cleanups.size) unhook();
  };
}
