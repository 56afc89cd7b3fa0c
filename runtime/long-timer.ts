// setTimeout holds at most 2^31 - 1 ms (24.8 days); past that Node warns and fires after 1 ms,
// so `tsbpf run --duration 3000000` stopped at once. This timer re-arms until its deadline.

const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls `fn` once after `ms` (any finite length); the returned function cancels it. */
export function setLongTimeout(fn: () => void, ms: number): () => void {
  const deadline = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = deadline - performance.now();
    timer = left > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(fn, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(timer);
}
