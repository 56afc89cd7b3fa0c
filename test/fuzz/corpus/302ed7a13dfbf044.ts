// tsbpf fuzz case (test/fuzz/README.md): seed 11 mutant 1430 of test/fixtures/language/aggregates.ts
// class: died exit 70: LLVM: Instruction does not dominate all uses (the value of xs[i] op= v with a variable index)
// options: {"parts":2}
import { xdp, param, u8, u16, u32, u64, i32, i64, type FixedArray } from "tsbpf";

const A = param<u64>("A", 0);
const B = param<u64>("B", 0);

interface Point { x: i32; y: i32 }
interface Shape { id: u8; origin: Point; size: u64; tags: FixedArray<u16, 4> }

function area(s: Shape): u64 {
  return s.size * s.size;
}

function moved(p: Point, dx: i32): Point {
  return { x: p.x + dx, y: p.y };
}

function bump(s: Shape): void {
  s.origin.x += 1; // a reference: the caller sees it
}

export const fields = xdp(() => {
  const s: Shape = { id: u8(A), origin: { x: i32(A), y: -3 }, size: B, tags: [1, 2] };
  bump(s);
  const alias = s;
  alias.tags[2] = 7;
  const m = moved(s.origin, 10);
  let sum: u32 = 0;
  for (const t of s.tags) sum += t;
  return u32(area(s)) + u32(m.x) + sum + s.id + u32(s.origin.y + 3);
});

export const index = xdp(() => {
  const xs: FixedArray<u32, 8> = [10, 20, 30, 40];
  xs[u32(B)] = 99;
  return xs[u32(A)] >>= xs.length;
});
