// The system's libbpf (1.1 or newer), called through koffi. Only this file knows C signatures;
// the runtime (load, attach) and the compiler (linking parts) use the small typed surface it
// exports.

import koffi, { type LibraryHandle, type TypeObject } from "koffi";
import { TsbpfError } from "../contract/errors.js";

// TSBPF_LIBBPF names a library file to use instead of the system's.
const sonames = () => (process.env.TSBPF_LIBBPF ? [process.env.TSBPF_LIBBPF] : ["libbpf.so.1", "libbpf.so"]);

function bind(lib: LibraryHandle) {
  const f = <T extends (...args: any[]) => any>(decl: string) => lib.func(decl) as unknown as T;
  const PrintFn = once("libbpf_print_fn", () => koffi.proto("int libbpf_print_fn(int level, const char *fmt, void *args)"));
  const SampleFn = once("perf_buffer_sample_fn", () => koffi.proto("void perf_buffer_sample_fn(void *ctx, int cpu, void *data, uint32_t size)"));
  const LostFn = once("perf_buffer_lost_fn", () => koffi.proto("void perf_buffer_lost_fn(void *ctx, int cpu, uint64_t count)"));
  return {
    PrintFn,
    SampleFn,
    LostFn,
    // Perf buffers (runtime/maps/perf-event-array.ts): one per CPU, read through callbacks.
    perfBufferNew: f<(mapFd: number, pages: number, sample: unknown, lost: unknown, ctx: null, opts: null) => bigint | null>(
      "void *perf_buffer__new(int map_fd, size_t page_cnt, perf_buffer_sample_fn *sample_cb, perf_buffer_lost_fn *lost_cb, void *ctx, const void *opts)",
    ),
    perfBufferEpollFd: f<(pb: bigint) => number>("int perf_buffer__epoll_fd(void *pb)"),
    perfBufferConsume: f<(pb: bigint) => number>("int perf_buffer__consume(void *pb)"),
    perfBufferFree: f<(pb: bigint) => void>("void perf_buffer__free(void *pb)"),
    setPrint: f<(fn: unknown) => unknown>("void *libbpf_set_print(libbpf_print_fn *fn)"),
    openMem: f<(buf: Buffer, size: number, opts: unknown) => bigint | null>(
      "void *bpf_object__open_mem(const uint8_t *buf, size_t size, const bpf_object_open_opts *opts)",
    ),
    load: f<(obj: bigint) => number>("int bpf_object__load(void *obj)"),
    close: f<(obj: bigint) => void>("void bpf_object__close(void *obj)"),
    btfFd: f<(obj: bigint) => number>("int bpf_object__btf_fd(void *obj)"),
    nextProgram: f<(obj: bigint, prev: bigint | null) => bigint | null>("void *bpf_object__next_program(void *obj, void *prev)"),
    programName: f<(prog: bigint) => string>("const char *bpf_program__name(void *prog)"),
    programFd: f<(prog: bigint) => number>("int bpf_program__fd(void *prog)"),
    /** Instruction slots as libbpf hands them to the kernel (after load: with the subprograms it appended). */
    programInsnCount: f<(prog: bigint) => number>("size_t bpf_program__insn_cnt(void *prog)"),
    setLogBuf: f<(prog: bigint, buf: Buffer, size: number) => number>("int bpf_program__set_log_buf(void *prog, _Inout_ uint8_t *buf, size_t size)"),
    attachTracepoint: f<(prog: bigint, category: string, name: string) => bigint | null>(
      "void *bpf_program__attach_tracepoint(void *prog, const char *category, const char *name)",
    ),
    attachRawTracepoint: f<(prog: bigint, name: string) => bigint | null>("void *bpf_program__attach_raw_tracepoint(void *prog, const char *name)"),
    attachTrace: f<(prog: bigint) => bigint | null>("void *bpf_program__attach_trace(void *prog)"),
    attachPerfEvent: f<(prog: bigint, pfd: number) => bigint | null>("void *bpf_program__attach_perf_event(void *prog, int pfd)"),
    // Kernel functions (runtime/attach/kprobe.ts, ksyscall.ts, fentry.ts).
    attachKprobe: f<(prog: bigint, fn: string, opts: KprobeOpts) => bigint | null>("void *bpf_program__attach_kprobe_opts(void *prog, const char *func_name, const bpf_kprobe_opts *opts)"),
    attachKsyscall: f<(prog: bigint, name: string, opts: KsyscallOpts) => bigint | null>("void *bpf_program__attach_ksyscall(void *prog, const char *syscall_name, const bpf_ksyscall_opts *opts)"),
    // User functions (runtime/attach/uprobe.ts): pid -1 for every process.
    attachUprobe: f<(prog: bigint, pid: number, binaryPath: string, funcOffset: number, opts: UprobeOpts) => bigint | null>(
      "void *bpf_program__attach_uprobe_opts(void *prog, int pid, const char *binary_path, size_t func_offset, const bpf_uprobe_opts *opts)",
    ),
    setAttachTarget: f<(prog: bigint, attachProgFd: number, fn: string) => number>("int bpf_program__set_attach_target(void *prog, int attach_prog_fd, const char *attach_func_name)"),
    setAutoload: f<(prog: bigint, autoload: boolean) => number>("int bpf_program__set_autoload(void *prog, bool autoload)"),
    linkDestroy: f<(link: bigint) => number>("int bpf_link__destroy(void *link)"),
    nextMap: f<(obj: bigint, prev: bigint | null) => bigint | null>("void *bpf_object__next_map(void *obj, void *prev)"),
    findMapByName: f<(obj: bigint, name: string) => bigint | null>("void *bpf_object__find_map_by_name(void *obj, const char *name)"),
    mapLookupElem: f<(map: bigint, key: Buffer, keySize: number, value: Buffer, valueSize: number, flags: bigint) => number>(
      "int bpf_map__lookup_elem(void *map, const uint8_t *key, size_t key_sz, _Inout_ uint8_t *value, size_t value_sz, uint64_t flags)",
    ),
    mapUpdateElem: f<(map: bigint, key: Buffer, keySize: number, value: Buffer, valueSize: number, flags: bigint) => number>(
      "int bpf_map__update_elem(void *map, const uint8_t *key, size_t key_sz, const uint8_t *value, size_t value_sz, uint64_t flags)",
    ),
    mapDeleteElem: f<(map: bigint, key: Buffer, keySize: number, flags: bigint) => number>("int bpf_map__delete_elem(void *map, const uint8_t *key, size_t key_sz, uint64_t flags)"),
    mapNextKey: f<(map: bigint, key: Buffer | null, next: Buffer, keySize: number) => number>(
      "int bpf_map__get_next_key(void *map, const uint8_t *cur_key, _Inout_ uint8_t *next_key, size_t key_sz)",
    ),
    mapFd: f<(map: bigint) => number>("int bpf_map__fd(void *map)"),
    // Many entries in one system call (Linux 5.6 for hashes, 5.9 for arrays); `count` in: room, out: entries given.
    mapLookupBatch: f<(fd: number, inBatch: Buffer | null, outBatch: Buffer, keys: Buffer, values: Buffer, count: Uint32Array, opts: null) => number>(
      "int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, void *count, const void *opts)",
    ),
    numPossibleCpus: f<() => number>("int libbpf_num_possible_cpus(void)"),
    mapName: f<(map: bigint) => string>("const char *bpf_map__name(void *map)"),
    mapInitialValue: f<(map: bigint, size: bigint[]) => bigint | null>("void *bpf_map__initial_value(void *map, _Out_ size_t *size)"),
    // The static linker (bpftool gen object's): objects of a module built in parts → one.
    linkerNew: f<(out: string, opts: null) => bigint | null>("void *bpf_linker__new(const char *filename, void *opts)"),
    linkerAddFile: f<(linker: bigint, file: string, opts: null) => number>("int bpf_linker__add_file(void *linker, const char *filename, void *opts)"),
    linkerFinalize: f<(linker: bigint) => number>("int bpf_linker__finalize(void *linker)"),
    linkerFree: f<(linker: bigint) => void>("void bpf_linker__free(void *linker)"),
    testRun: f<(fd: number, opts: TestRunOpts) => number>("int bpf_prog_test_run_opts(int fd, _Inout_ bpf_test_run_opts *opts)"),
    // Pins (runtime/pins.ts): objects on bpffs that outlive the process. These return -errno.
    linkFd: f<(link: bigint) => number>("int bpf_link__fd(void *link)"),
    objPin: f<(fd: number, path: string) => number>("int bpf_obj_pin(int fd, const char *path)"),
    objGet: f<(path: string) => number>("int bpf_obj_get(const char *path)"),
    objInfo: f<(fd: number, info: Buffer, length: number[]) => number>("int bpf_obj_get_info_by_fd(int fd, _Inout_ uint8_t *info, _Inout_ uint32_t *len)"),
    mapType: f<(map: bigint) => number>("int bpf_map__type(void *map)"),
    mapKeySize: f<(map: bigint) => number>("uint32_t bpf_map__key_size(void *map)"),
    mapValueSize: f<(map: bigint) => number>("uint32_t bpf_map__value_size(void *map)"),
    mapMaxEntries: f<(map: bigint) => number>("uint32_t bpf_map__max_entries(void *map)"),
    mapReuseFd: f<(map: bigint, fd: number) => number>("int bpf_map__reuse_fd(void *map, int fd)"),
    mapCreate: f<(type: number, name: string, keySize: number, valueSize: number, maxEntries: number, opts: null) => number>(
      "int bpf_map_create(int map_type, const char *map_name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, void *opts)",
    ),
    mapFreeze: f<(fd: number) => number>("int bpf_map_freeze(int fd)"),
    fdUpdateElem: f<(fd: number, key: Buffer, value: Buffer, flags: bigint) => number>("int bpf_map_update_elem(int fd, const uint8_t *key, const uint8_t *value, uint64_t flags)"),
    fdLookupElem: f<(fd: number, key: Buffer, value: Buffer) => number>("int bpf_map_lookup_elem(int fd, const uint8_t *key, _Inout_ uint8_t *value)"),
  };
}

/** koffi's named types live as long as the process, longer than this module may (test runners
 *  load modules afresh): declare each name once. */
function once(name: string, declare: () => TypeObject): TypeObject {
  try {
    return koffi.type(name);
  } catch {
    return declare();
  }
}

export interface TestRunOpts {
  sz: number;
  data_in: Buffer | null;
  data_out: Buffer | null;
  data_size_in: number;
  data_size_out: number;
  ctx_in: null;
  ctx_out: null;
  ctx_size_in: number;
  ctx_size_out: number;
  retval: number;
  repeat: number;
  duration: number;
  flags: number;
  cpu: number;
}

export const TEST_RUN_OPTS_SIZE = 80;

/** struct bpf_kprobe_opts as libbpf 1.1 has it (1.2 adds fields after these: `sz` says which we pass). */
export interface KprobeOpts {
  sz: number;
  bpf_cookie: bigint;
  offset: number;
  retprobe: boolean;
}
export const KPROBE_OPTS_SIZE = 32;

/** struct bpf_ksyscall_opts. */
export interface KsyscallOpts {
  sz: number;
  bpf_cookie: bigint;
  retprobe: boolean;
}
export const KSYSCALL_OPTS_SIZE = 24;

/** struct bpf_uprobe_opts as libbpf 1.1 has it (1.2 adds attach_mode after func_name). */
export interface UprobeOpts {
  sz: number;
  ref_ctr_offset: number;
  bpf_cookie: bigint;
  retprobe: boolean;
  /** The function; libbpf finds its file offset in the binary's symbol tables and adds func_offset. Null: func_offset is the file offset (a USDT site). */
  func_name: string | null;
}
export const UPROBE_OPTS_SIZE = 40;

let bound: ReturnType<typeof bind> | undefined;
const messages: string[] = [];

export function libbpf(): ReturnType<typeof bind> {
  if (bound) return bound;
  // The leading fields of libbpf's structs; `sz` tells libbpf how many we pass.
  once("bpf_object_open_opts", () => koffi.struct("bpf_object_open_opts", { sz: "size_t", object_name: "const char *" }));
  once("bpf_kprobe_opts", () => koffi.struct("bpf_kprobe_opts", { sz: "size_t", bpf_cookie: "uint64_t", offset: "size_t", retprobe: "bool" }));
  once("bpf_uprobe_opts", () =>
    koffi.struct("bpf_uprobe_opts", { sz: "size_t", ref_ctr_offset: "size_t", bpf_cookie: "uint64_t", retprobe: "bool", func_name: "const char *" }),
  );
  once("bpf_ksyscall_opts", () => koffi.struct("bpf_ksyscall_opts", { sz: "size_t", bpf_cookie: "uint64_t", retprobe: "bool" }));
  once("bpf_test_run_opts", () =>
    koffi.struct("bpf_test_run_opts", {
      sz: "size_t",
      data_in: "void *",
      data_out: "void *",
      data_size_in: "uint32_t",
      data_size_out: "uint32_t",
      ctx_in: "void *",
      ctx_out: "void *",
      ctx_size_in: "uint32_t",
      ctx_size_out: "uint32_t",
      retval: "uint32_t",
      repeat: "int",
      duration: "uint32_t",
      flags: "uint32_t",
      cpu: "uint32_t",
    }),
  );
  let lib: LibraryHandle | undefined;
  for (const name of sonames()) {
    try {
      lib = koffi.load(name);
      break;
    } catch {
      // try the next name
    }
  }
  if (!lib)
    throw new TsbpfError("libbpf was not found", {
      subject: "libbpf",
      hint: process.env.TSBPF_LIBBPF
        ? `TSBPF_LIBBPF=${process.env.TSBPF_LIBBPF} could not be loaded; point it at libbpf.so.1 (1.1 or newer), or unset it`
        : "install it: `apt-get install libbpf1` on Debian/Ubuntu (libbpf 1.1 or newer)",
    });
  bound = bind(lib);
  captureMessages(bound);
  return bound;
}

/** libbpf reports details (BTF problems, attach failures) through a printf-style callback:
 *  format them with the C library's vsnprintf and keep them for the error that follows. */
function captureMessages(b: ReturnType<typeof bind>): void {
  const libc = koffi.load("libc.so.6");
  const vsnprintf = libc.func("int vsnprintf(_Out_ uint8_t *buf, size_t size, const char *fmt, void *ap)") as unknown as (
    buf: Buffer,
    size: number,
    fmt: string,
    ap: bigint,
  ) => number;
  const buf = Buffer.alloc(64 * 1024);
  const cb = koffi.register((level: number, fmt: string, ap: bigint) => {
    const n = vsnprintf(buf, buf.length, fmt, ap);
    const text = buf.subarray(0, Math.min(Math.max(n, 0), buf.length - 1)).toString("utf8");
    if (level <= 1 /* WARN, INFO */) messages.push(text);
    if (process.env.TSBPF_DEBUG_LIBBPF) process.stderr.write(text);
    return 0;
  }, koffi.pointer(b.PrintFn));
  b.setPrint(cb);
}

/** The libbpf messages since the last call. */
export function takeLibbpfMessages(): string[] {
  return messages.splice(0, messages.length);
}

export function errnoText(errno: number): string {
  const name = Object.entries(koffi.os.errno).find(([, v]) => v === errno)?.[0];
  return name ? `${name}` : `errno ${errno}`;
}

export const lastErrno = (): number => koffi.errno();
export const Errno = koffi.os.errno as Record<string, number>;

/** What the kernel says of a map (the leading fields of struct bpf_map_info). */
export interface KernelMapInfo {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  name: string;
}

const MAP_INFO_SIZE = 88; // sizeof(struct bpf_map_info) in the UAPI of Linux 5.x–6.x; the kernel copies what it has

/** The kernel's description of the map behind `fd`, or -errno. */
export function kernelMapInfo(fd: number): KernelMapInfo | number {
  const info = Buffer.alloc(MAP_INFO_SIZE);
  const err = libbpf().objInfo(fd, info, [MAP_INFO_SIZE]);
  if (err < 0) return err;
  const name = info.subarray(24, 40);
  const end = name.indexOf(0);
  return {
    type: info.readUInt32LE(0),
    keySize: info.readUInt32LE(8),
    valueSize: info.readUInt32LE(12),
    maxEntries: info.readUInt32LE(16),
    name: name.subarray(0, end < 0 ? name.length : end).toString("latin1"),
  };
}
