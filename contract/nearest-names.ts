// "Did you mean": the names nearest to a mistyped one, by edit distance.

/** Up to three of `names` close enough to `wanted` to be what was meant, nearest first. */
export function nearestNames(wanted: string, names: Iterable<string>): string[] {
  const limit = Math.max(3, wanted.length / 4);
  const near: { name: string; d: number }[] = [];
  for (const name of names) {
    if (Math.abs(name.length - wanted.length) > limit) continue;
    const d = distance(name, wanted);
    if (d <= limit) near.push({ name, d });
  }
  return near
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((x) => x.name);
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
