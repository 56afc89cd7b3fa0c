// The C library calls the ring buffer reader needs (mmap, epoll, eventfd), through koffi. Only
// this file knows their C signatures.

import koffi from "koffi";

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
/** Memory mmap gave (koffi's pointer object). */
export type Mapping = { readonly __mapping: never };
/** Whether mmap failed (it returns MAP_FAILED, (void *) -1). */
export const mapFailed = (m: Mapping): boolean => koffi.address(m) === 0xffffffffffffffffn;
export const EPOLLIN = 1;
const EPOLL_CTL_ADD = 1;
const EINTR = 4;
const EPOLL_CLOEXEC = 0o2000000;
/** fcntl(2): a pipe's capacity (Linux 2.6.35). */
export const F_SETPIPE_SZ = 1031;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
/** struct epoll_event is packed on x86-64 (12 bytes, its data at 4), naturally aligned elsewhere (16, at 8). */
const EPOLL_EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const EPOLL_DATA_OFFSET = process.arch === "x64" ? 4 : 8;

/** The perf_event_open system call's number. */
const PERF_EVENT_OPEN = process.arch === "arm64" ? 241 : 298;

function bind() {
  const libc = koffi.load("libc.so.6");
  const f = <T extends (...args: any[]) => any>(decl: string) => libc.func(decl) as unknown as T;
  const syscall = f<(n: number, attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number) => number>(
    "long syscall(long number, const uint8_t *attr, int pid, int cpu, int group_fd, unsigned long flags)",
  );
  return {
    mmap: f<(addr: null, length: number, prot: number, flags: number, fd: number, offset: number) => Mapping>("void *mmap(void *addr, size_t length, int prot, int flags, int fd, intptr_t offset)"),
    munmap: f<(addr: Mapping, length: number) => number>("int munmap(void *addr, size_t length)"),
    epollCreate1: f<(flags: number) => number>("int epoll_create1(int flags)"),
    epollCtl: f<(epfd: number, op: number, fd: number, event: Buffer) => number>("int epoll_ctl(int epfd, int op, int fd, const uint8_t *event)"),
    epollWait: f<(epfd: number, events: Buffer, max: number, timeout: number) => number>("int epoll_wait(int epfd, _Out_ uint8_t *events, int maxevents, int timeout)"),
    eventfd: f<(initval: number, flags: number) => number>("int eventfd(unsigned int initval, int flags)"),
    write: f<(fd: number, buf: Buffer, count: number) => number>("intptr_t write(int fd, const uint8_t *buf, size_t count)"),
    read: f<(fd: number, buf: Buffer, count: number) => number>("intptr_t read(int fd, _Out_ uint8_t *buf, size_t count)"),
    close: f<(fd: number) => number>("int close(int fd)"),
    fcntl: f<(fd: number, cmd: number, arg: number) => number>("int fcntl(int fd, int cmd, int arg)"),
    // perf_event_open has no libc wrapper; glibc's syscall() passes its arguments on in registers.
    perfEventOpen: (attr: Buffer, pid: number, cpu: number, groupFd: number, flags: number): number => syscall(PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags),
  };
}

let bound: ReturnType<typeof bind> | undefined;
export const libc = (): ReturnType<typeof bind> => (bound ??= bind());

/** An ArrayBuffer over `length` bytes of mmap'd memory: valid until munmap. */
export const memoryAt = (m: Mapping, length: number): ArrayBuffer => koffi.view(m, length);

/**
 * Waits on an epoll set for a file becoming readable, on libuv's threads (never blocking Node's
 * event loop); an eventfd in the set wakes it early, for close().
 */
export class ReadableWait {
  private readonly epfd: number;
  private readonly wakeFd: number;
  private readonly scratch = Buffer.alloc(8);
  private readonly events = Buffer.alloc(EPOLL_EVENT_SIZE * 2);
  private closed = false;
  private waiting = 0;

  constructor(fd: number) {
    const c = libc();
    this.epfd = c.epollCreate1(EPOLL_CLOEXEC);
    this.wakeFd = c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (this.epfd < 0 || this.wakeFd < 0) throw new Error(`epoll_create1/eventfd failed (errno ${koffi.errno()})`);
    for (const watched of [fd, this.wakeFd]) {
      const ev = Buffer.alloc(EPOLL_EVENT_SIZE);
      ev.writeUInt32LE(EPOLLIN, 0);
      ev.writeInt32LE(watched, EPOLL_DATA_OFFSET); // epoll_data: which fd it was
      if (c.epollCtl(this.epfd, EPOLL_CTL_ADD, watched, ev) < 0) throw new Error(`epoll_ctl failed (errno ${koffi.errno()})`);
    }
  }

  /**
   * Resolves when the file is readable, `timeoutMs` passed, or wake() or close() was called; false
   * if epoll failed (then waiting again would only spin).
   */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.waiting++;
    return new Promise((resolve) => {
      const wait = libc().epollWait as unknown as { async: (...a: unknown[]) => void };
      wait.async(this.epfd, this.events, 2, timeoutMs, (err: unknown, n: number) => {
        this.waiting--;
        if (this.closed && !this.waiting) this.release();
        else if (this.woken(n)) libc().read(this.wakeFd, this.scratch, 8); // takes the wake-up back
        resolve(!err && (n >= 0 || koffi.errno() === EINTR));
      });
    });
  }

  /** Whether the wake-up fd is among the `n` events a wait returned (a system call saved on every other wake). */
  private woken(n: number): boolean {
    for (let i = 0; i < n; i++) if (this.events.readInt32LE(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET) === this.wakeFd) return true;
    return false;
  }

  /** Ends the wait under way, if there is one, early. */
  wake(): void {
    if (this.closed) return;
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    libc().write(this.wakeFd, one, 8);
  }

  /** Wakes a wait under way; the fds are closed once no wait uses them. */
  close(): void {
    if (this.closed) return;
    this.wake();
    this.closed = true;
    if (!this.waiting) this.release();
  }

  private release(): void {
    libc().close(this.epfd);
    libc().close(this.wakeFd);
  }
}
