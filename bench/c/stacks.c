/* The target of bench/stack-symbols.ts: 2^DEPTH distinct user stacks, each ending in a getppid
   system call (made by the instruction itself, so that the innermost frame is leaf() and not
   libc's wrapper, which has no frame pointer). Path p goes down PAD calls of pad(), then through
   left() or right() at each of DEPTH levels as its bits say: few distinct stacks of many frames
   each, so that few collide in the tracers' stack maps. It waits for a byte on stdin, makes every
   path's call once, prints "done", then waits for a second byte, makes a getpid system call (the
   bpftrace script's signal to exit: bpftrace v0.17 sometimes sleeps through a SIGINT), and waits
   to be killed: the tracers read its mappings while it lives, as bpftrace must. Build with frame
   pointers and without sibling calls. */
#include <unistd.h>

#ifndef DEPTH
#define DEPTH 7
#endif
#ifndef PAD
#define PAD 60
#endif

static volatile long sink;

__attribute__((noinline)) void leaf(void) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "0"(110L) /* __NR_getppid on x86-64 */ : "rcx", "r11", "memory");
  sink += r;
}

__attribute__((noinline)) void left(int n, unsigned path);
__attribute__((noinline)) void right(int n, unsigned path);

__attribute__((noinline)) static void step(int n, unsigned path) {
  if (n == 0) leaf();
  else if (path & 1) left(n - 1, path >> 1);
  else right(n - 1, path >> 1);
  sink++;
}

void left(int n, unsigned path) {
  step(n, path);
  sink++;
}

void right(int n, unsigned path) {
  step(n, path);
  sink++;
}

__attribute__((noinline)) void pad(int n, unsigned path) {
  if (n == 0) step(DEPTH, path);
  else pad(n - 1, path);
  sink++;
}

int main(void) {
  char go;
  if (read(0, &go, 1) != 1) return 2;
  for (unsigned p = 0; p < (1u << DEPTH); p++) pad(PAD, p);
  if (write(1, "done\n", 5) != 5) return 1;
  if (read(0, &go, 1) != 1) return 2;
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "0"(39L) /* __NR_getpid */ : "rcx", "r11", "memory");
  pause();
  return 0;
}
