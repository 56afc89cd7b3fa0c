// A kernel's declarations module (declarations.ts), made by WebAssembly for speed (D202):
// declarations.ts is the reference, and this file follows it function by function, under the
// same names; a test holds the two byte-for-byte equal on the running kernel's BTF, on samples
// of every case and on thousands of mutated files. Its input is a BTF that btf-parse.ts has
// checked (every offset and type id in range), with a string section of ASCII only; anything the
// reference would refuse, or that this code does not foresee (a cycle, an anonymous forward
// declaration, output larger than foreseen), traps, and the caller makes the module in
// TypeScript instead.
//
// Freestanding: no libc. Memory is one bump arena that only grows (memory.grow gives zeroed
// pages): nothing is freed, the instance is used for one module and dropped. Strings are read 8
// bytes at a time, up to 7 past their NUL: the string section is never the memory's last bytes.
// Build: compiler/btf/wasm/build.sh (clang and wasm-ld 14).

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned long usize;

#define EXPORT(name) __attribute__((export_name(#name)))
#define BAIL() __builtin_trap()

// BTF kinds (btf-kinds.ts).
enum {
  KIND_VOID, KIND_INT, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_FWD, KIND_TYPEDEF,
  KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC, KIND_FLOAT,
  KIND_DECL_TAG, KIND_TYPE_TAG, KIND_ENUM64,
};
enum { INT_SIGNED = 1, INT_CHAR = 2, INT_BOOL = 4 };

// As deep as the reference follows before it calls a chain a cycle.
enum { MAX_CHAIN = 256, MAX_DEPTH = 64 };

// ---- memory ----

extern u8 __heap_base;
static usize heap_top;

static void *alloc(usize n) {
  if (heap_top == 0) heap_top = (usize)&__heap_base;
  usize at = (heap_top + 7) & ~(usize)7, end = at + n;
  if (end < at) BAIL();
  usize have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (usize)-1) BAIL();
  heap_top = end;
  return (void *)at;
}

/** Room for `n` bytes of input, which the caller copies (or reads) in before declare(). */
EXPORT(reserve) void *reserve(u32 n) { return alloc(n); }

/**
 * Makes the memory hold `n` bytes more than is allocated, at once: the caller's views of the
 * memory (the BTF read into it) stay valid while later allocations fit (growing replaces the
 * memory's buffer). Pages are not touched until used.
 */
EXPORT(room) void room(u32 n) {
  void *at = alloc(n);
  heap_top = (usize)at;
}

void *memcpy(void *to, const void *from, usize n) {
  __builtin_memcpy(to, from, n);  // memory.copy (-mbulk-memory)
  return to;
}
void *memset(void *to, int c, usize n) {
  __builtin_memset(to, c, n);  // memory.fill
  return to;
}

// ---- strings ----

typedef struct { const char *p; u32 n; } Str;
#define LIT(s) ((Str){s, sizeof(s) - 1})

// Strings are read and copied 8 bytes at a time (unaligned loads are allowed in WebAssembly):
// Liftoff's code, which runs this, pays for every turn of a loop, and most names are 5–20 bytes.

static inline u64 load64(const char *p) {
  u64 v;
  __builtin_memcpy(&v, p, 8);
  return v;
}
static inline u32 load32(const char *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return v;
}
static inline void store64(char *p, u64 v) { __builtin_memcpy(p, &v, 8); }
static inline void store32(char *p, u32 v) { __builtin_memcpy(p, &v, 4); }

/** Copies n bytes; short copies as two overlapping words, not a loop or a call. */
static inline void copy(char *to, const char *from, u32 n) {
  if (n >= 8) {
    if (n > 16) {
      __builtin_memcpy(to, from, n);  // memory.copy (-mbulk-memory)
      return;
    }
    u64 head = load64(from), tail = load64(from + n - 8);
    store64(to, head), store64(to + n - 8, tail);
  } else if (n >= 4) {
    u32 head = load32(from), tail = load32(from + n - 4);
    store32(to, head), store32(to + n - 4, tail);
  } else
    for (u32 i = 0; i < n; i++) to[i] = from[i];
}

static int str_eq(Str a, Str b) {
  if (a.n != b.n) return 0;
  u32 i = 0;
  for (; i + 8 <= a.n; i += 8)
    if (load64(a.p + i) != load64(b.p + i)) return 0;
  for (; i < a.n; i++)
    if (a.p[i] != b.p[i]) return 0;
  return 1;
}

static int str_eq_lit(Str a, const char *lit) {
  u32 i = 0;
  for (; i < a.n; i++)
    if (lit[i] != a.p[i] || lit[i] == 0) return 0;
  return lit[i] == 0;
}

/** A hash of the string's bytes, 8 at a time (the last word's missing bytes as zeros). */
static u32 str_hash(Str s) {
  u64 h = 0x9e3779b97f4a7c15ull ^ s.n;
  u32 i = 0;
  for (; i + 8 <= s.n; i += 8) h = (h ^ load64(s.p + i)) * 0xff51afd7ed558ccdull, h ^= h >> 29;
  if (i < s.n) {
    u64 last = 0;
    for (u32 k = 0; i + k < s.n; k++) last |= (u64)(u8)s.p[i + k] << (8 * k);
    h = (h ^ last) * 0xff51afd7ed558ccdull;
  }
  h ^= h >> 32;
  return (u32)(h * 0xc4ceb9fe1a85ec53ull >> 32);
}

/** A string built in the arena from pieces. */
typedef struct { char *p; u32 n, cap; } Builder;

static Builder builder(u32 cap) { return (Builder){alloc(cap), 0, cap}; }
static void add(Builder *b, Str s) {
  if (b->n + s.n > b->cap) BAIL();
  copy(b->p + b->n, s.p, s.n);
  b->n += s.n;
}
static void add_byte(Builder *b, char c) {
  if (b->n + 1 > b->cap) BAIL();
  b->p[b->n++] = c;
}
static Str built(Builder *b) { return (Str){b->p, b->n}; }

/**
 * A builder over one reused buffer, for a string whose length is known only once built (its room
 * overestimated): kept() then copies it to the arena, exactly. Building in the arena itself left
 * the overestimate's bytes between strings, a megabyte of pages touched for a vmlinux's signatures.
 */
static Builder scratch(u32 room) {
  static Builder buffer;
  if (buffer.cap < room) buffer = builder(room > 65536 ? room : 65536);
  buffer.n = 0;
  return buffer;
}

static Str kept(Str s) {
  Builder out = builder(s.n);
  add(&out, s);
  return built(&out);
}

static Str cat3(Str a, Str b, Str c) {
  Builder out = builder(a.n + b.n + c.n);
  add(&out, a), add(&out, b), add(&out, c);
  return built(&out);
}

/** Decimal digits of `v`, written backwards into the end of `buf` (24 bytes): their start. */
static char *digits(u64 v, char *end) {
  do *--end = (char)('0' + v % 10), v /= 10; while (v);
  return end;
}

static Str number(i64 v, int is_signed) {
  char buf[24], *end = buf + sizeof buf;
  int negative = is_signed && v < 0;
  char *at = digits(negative ? -(u64)v : (u64)v, end);
  if (negative) *--at = '-';
  return kept((Str){at, (u32)(end - at)});
}

// ---- hash tables: a string (compared by its bytes; the key points at them, no copy) to a number ----

typedef struct {
  Str *keys;
  u32 *values;
  u32 cap, count;
} Table;

static Table table(u32 expected) {
  u32 cap = 16;
  while (cap < 2 * expected) cap *= 2;
  return (Table){alloc(cap * sizeof(Str)), alloc(cap * sizeof(u32)), cap, 0};
}

/** The slot of `key`: where it is, or the empty one where it would go. */
static u32 slot_of(const Table *t, Str key) {
  u32 mask = t->cap - 1;
  for (u32 slot = str_hash(key) & mask;; slot = (slot + 1) & mask)
    if (t->keys[slot].p == 0 || str_eq(t->keys[slot], key)) return slot;
}

static void grow(Table *t) {
  Table bigger = table(t->cap);
  for (u32 i = 0; i < t->cap; i++) {
    if (t->keys[i].p == 0) continue;
    u32 slot = slot_of(&bigger, t->keys[i]);
    bigger.keys[slot] = t->keys[i];
    bigger.values[slot] = t->values[i];
  }
  bigger.count = t->count;
  *t = bigger;
}

static int table_has(const Table *t, Str key) { return t->keys[slot_of(t, key)].p != 0; }

/** The value of `key`, or `missing`. */
static u32 table_get(const Table *t, Str key, u32 missing) {
  u32 slot = slot_of(t, key);
  return t->keys[slot].p ? t->values[slot] : missing;
}

static void table_set(Table *t, Str key, u32 value) {
  u32 slot = slot_of(t, key);
  if (t->keys[slot].p == 0) {
    t->keys[slot] = key;
    if (2 * ++t->count > t->cap) {
      t->values[slot] = value;
      grow(t);
      return;
    }
  }
  t->values[slot] = value;
}

/**
 * The names a struct's fields (or an enum's members) have taken: a table emptied for each by
 * moving to a new generation, not by clearing it.
 */
typedef struct {
  Str *keys;
  u32 *generations;
  u32 cap, count, generation;
} SeenNames;

static SeenNames seen_names(u32 cap) { return (SeenNames){alloc(cap * sizeof(Str)), alloc(cap * sizeof(u32)), cap, 0, 1}; }

static void seen_reset(SeenNames *s) { s->generation++, s->count = 0; }

static int seen_first(SeenNames *s, Str name);

static void seen_grow(SeenNames *s) {
  SeenNames old = *s;
  *s = seen_names(2 * old.cap);
  for (u32 i = 0; i < old.cap; i++)
    if (old.generations[i] == old.generation) seen_first(s, old.keys[i]);
}

static int seen_first(SeenNames *s, Str name) {
  u32 mask = s->cap - 1;
  u32 slot = str_hash(name) & mask;
  for (; s->generations[slot] == s->generation; slot = (slot + 1) & mask)
    if (str_eq(s->keys[slot], name)) return 0;
  s->keys[slot] = name;
  s->generations[slot] = s->generation;
  if (2 * ++s->count > s->cap) seen_grow(s);
  return 1;
}

// ---- the BTF (btf.ts) ----

static const u32 *words;
static const u32 *starts;
static const u8 *kinds;
static u32 type_count;
static const char *strings;

static inline u32 kind(u32 id) { return kinds[id]; }
static inline u32 vlen(u32 id) { return words[starts[id] + 1] & 0xffff; }
static inline int kind_flag(u32 id) { return words[starts[id] + 1] >> 31; }
static inline u32 size_of(u32 id) { return words[starts[id] + 2]; }
static inline u32 ref(u32 id) { return words[starts[id] + 2]; }
static inline u32 name_offset(u32 id) { return id == 0 ? 0 : words[starts[id]]; }
static inline int named(u32 id) { return name_offset(id) != 0; }
static inline u32 int_encoding(u32 id) { return (words[starts[id] + 3] >> 24) & 0x0f; }
static inline u32 int_bits(u32 id) { return words[starts[id] + 3] & 0xff; }
static inline u32 array_type(u32 id) { return words[starts[id] + 3]; }
static inline u32 array_count(u32 id) { return words[starts[id] + 5]; }
static inline u32 member_name_offset(u32 id, u32 i) { return words[starts[id] + 3 + 3 * i]; }
static inline u32 member_type(u32 id, u32 i) { return words[starts[id] + 4 + 3 * i]; }
static inline u32 param_name_offset(u32 id, u32 i) { return words[starts[id] + 3 + 2 * i]; }
static inline u32 param_type(u32 id, u32 i) { return words[starts[id] + 4 + 2 * i]; }
static inline u32 enum_at(u32 id, u32 i) { return starts[id] + 3 + (kind(id) == KIND_ENUM64 ? 3 : 2) * i; }

/** The NUL-terminated string at p, its NUL found 8 bytes at a time (the string section ends with one). */
static Str c_string(const char *p) {
  u32 n = 0;
  for (;; n += 8) {
    u64 w = load64(p + n);
    u64 zero = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;  // the high bit of each zero byte
    if (zero) return (Str){p, n + (u32)(__builtin_ctzll(zero) >> 3)};
  }
}
static Str string_at(u32 offset) { return c_string(strings + offset); }
static Str name_of_type(u32 id) { return string_at(name_offset(id)); }

static int name_starts_with(u32 id, const char *prefix) {
  const char *p = strings + name_offset(id);
  for (u32 i = 0; prefix[i]; i++)
    if (p[i] != prefix[i]) return 0;
  return 1;
}

static Str enum_value(u32 id, u32 i) {
  u32 at = enum_at(id, i), low = words[at + 1];
  if (kind(id) != KIND_ENUM64) return kind_flag(id) ? number((i32)low, 1) : number(low, 0);
  u64 bits = ((u64)words[at + 2] << 32) | low;
  return number((i64)bits, kind_flag(id));
}

static u32 underlying(u32 id, int through_typedefs) {
  for (u32 steps = 0; steps < MAX_CHAIN; steps++) {
    u32 k = kind(id);
    if (k != KIND_CONST && k != KIND_VOLATILE && k != KIND_RESTRICT && k != KIND_TYPE_TAG && !(through_typedefs && k == KIND_TYPEDEF)) return id;
    id = ref(id);
  }
  BAIL();
}

static int is_composite(u32 k) { return k == KIND_STRUCT || k == KIND_UNION; }
static int is_enum(u32 k) { return k == KIND_ENUM || k == KIND_ENUM64; }

// ---- names (ts-names.ts) ----

/** The lists declarations.ts passes in: names taken from the start, reserved words, predefined types. */
static Table initial_names, reserved_words, predefined_types;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/** A letter, a digit, `_` or `$`: what an identifier is made of. */
static int identifier_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '$'; }

static int is_identifier(Str name) {
  if (name.n == 0 || is_digit(name.p[0])) return 0;
  for (u32 i = 0; i < name.n; i++)
    if (!identifier_char(name.p[i])) return 0;
  return 1;
}

static Str identifier_of(Str name) {
  if (is_identifier(name)) return name;
  Builder out = builder(name.n + 1);
  if (name.n == 0 || is_digit(name.p[0])) add_byte(&out, '_');
  for (u32 i = 0; i < name.n; i++) add_byte(&out, identifier_char(name.p[i]) ? name.p[i] : '_');
  return built(&out);
}

/** Whether the string at `offset` is an identifier (Btf.identifierAt). */
static int identifier_at(u32 offset) { return offset != 0 && is_identifier(string_at(offset)); }

static int usable_value_name(Str name) { return is_identifier(name) && !table_has(&reserved_words, name); }

typedef struct {
  Table taken;
  int types;  // a namespace of types also refuses the predefined types' names
} NameTable;

/** The named types a namespace's names are first claimed for: its table's size, so that it never grows (each growth left the old table's pages behind). */
static u32 named_types(void) {
  u32 n = 0;
  for (u32 id = 1; id < type_count; id++) n += named(id) && (kind(id) == KIND_TYPEDEF || is_composite(kind(id)) || is_enum(kind(id)) || kind(id) == KIND_FWD);
  return n;
}

static NameTable name_table(int types, u32 expected) {
  NameTable t = {table(expected), types};
  for (u32 i = 0; i < initial_names.cap; i++)
    if (initial_names.keys[i].p) table_set(&t.taken, initial_names.keys[i], 1);
  return t;
}

static int refused(const NameTable *t, Str name) {
  return table_has(&reserved_words, name) || (t->types && table_has(&predefined_types, name));
}

static void take(NameTable *t, Str name) { table_set(&t->taken, name, 1); }

static Str claim(NameTable *t, Str wanted) {
  Str name = identifier_of(wanted);
  if (table_has(&t->taken, name) || refused(t, name)) {
    Builder longer = builder(name.n + 64);
    add(&longer, name);
    do add_byte(&longer, '_');
    while (table_has(&t->taken, built(&longer)) || refused(t, built(&longer)));
    name = built(&longer);
  }
  take(t, name);
  return name;
}

/** propertyName: the name, or JSON's quoting of it. */
static void write_str(Str s);
static void write_property_name(Str name, int identifier) {
  if (identifier) {
    write_str(name);
    return;
  }
  static const char hex[] = "0123456789abcdef";
  Builder q = builder(6 * name.n + 2);
  add_byte(&q, '"');
  for (u32 i = 0; i < name.n; i++) {
    u8 c = (u8)name.p[i];
    const char *escape = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : 0;
    if (escape) add(&q, (Str){escape, 2});
    else if (c < 0x20) add(&q, LIT("\\u00")), add_byte(&q, hex[c >> 4]), add_byte(&q, hex[c & 15]);
    else add_byte(&q, (char)c);
  }
  add_byte(&q, '"');
  write_str(built(&q));
}

// ---- type names (type-names.ts) ----

static Str *names_of;  // .p == 0: none
static u8 *aliases;
static NameTable type_names, value_names;

static Str int_type_name(u32 size, int is_signed) {
  switch (size) {
    case 1: return is_signed ? LIT("i8") : LIT("u8");
    case 2: return is_signed ? LIT("i16") : LIT("u16");
    case 4: return is_signed ? LIT("i32") : LIT("u32");
    case 8: return is_signed ? LIT("i64") : LIT("u64");
  }
  return (Str){0, 0};
}

static void name_tags(void) {
  u32 *forwards = alloc(type_count * sizeof(u32));
  u32 forward_count = 0;
  Table composites = table(1024), enums = table(1024);
  for (u32 id = 1; id < type_count; id++) {
    u32 k = kind(id);
    if (k != KIND_FWD && !is_composite(k) && !is_enum(k)) continue;
    Str name = name_of_type(id);
    if (name.n == 0) continue;
    if (k == KIND_FWD || (is_enum(k) && vlen(id) == 0)) {
      forwards[forward_count++] = id;
      continue;
    }
    names_of[id] = claim(&type_names, name);
    if (is_enum(k)) {
      take(&value_names, names_of[id]);
      if (!table_has(&enums, name)) table_set(&enums, name, id);
    } else if (!table_has(&composites, name)) table_set(&composites, name, id);
  }
  for (u32 i = 0; i < forward_count; i++) {
    u32 id = forwards[i];
    Str name = name_of_type(id);
    u32 definition = table_get(kind(id) == KIND_FWD ? &composites : &enums, name, 0);
    if (definition != 0) {
      names_of[id] = names_of[definition];
      aliases[id] = 1;
    } else {
      names_of[id] = claim(&type_names, name);
      if (kind(id) != KIND_FWD) take(&value_names, names_of[id]);
    }
  }
}

static int same_int(u32 id, Str name) {
  if (kind(id) != KIND_INT) return 0;
  Str int_name = int_type_name(size_of(id), int_encoding(id) & INT_SIGNED);
  return int_name.p && str_eq(int_name, name);
}

static void name_typedefs(void) {
  for (u32 id = 1; id < type_count; id++) {
    if (kind(id) != KIND_TYPEDEF) continue;
    Str name = name_of_type(id);
    u32 target = underlying(ref(id), 0);
    u32 target_kind = kind(target);
    if ((is_composite(target_kind) || is_enum(target_kind)) && !named(target) && names_of[target].p == 0) {
      names_of[target] = names_of[id] = claim(&type_names, name);
      if (is_enum(target_kind)) take(&value_names, names_of[id]);
      aliases[id] = 1;
    } else if (names_of[target].p && str_eq(name_of_type(target), name)) {
      names_of[id] = names_of[target];
      aliases[id] = 1;
    } else if (same_int(underlying(target, 1), name)) {
      names_of[id] = name;
      aliases[id] = 1;
    } else names_of[id] = claim(&type_names, name);
  }
}

static u8 *walked;

static void walk(u32 id, Str parent, u32 depth) {
  if (depth > MAX_DEPTH) BAIL();
  walked[id] = 1;
  for (u32 i = 0, n = vlen(id); i < n; i++) {
    u32 t = underlying(member_type(id, i), 0);
    for (u32 steps = 0; kind(t) == KIND_ARRAY && steps < 64; steps++) t = underlying(array_type(t), 0);
    if (!is_composite(kind(t)) || named(t)) continue;
    if (member_name_offset(id, i) == 0) walk(t, parent, depth + 1);
    else if (names_of[t].p == 0) {
      names_of[t] = claim(&type_names, cat3(parent, LIT("__"), string_at(member_name_offset(id, i))));
      walk(t, names_of[t], depth + 1);
    }
  }
}

static void name_field_types(void) {
  walked = alloc(type_count);
  for (u32 id = 1; id < type_count; id++)
    if (is_composite(kind(id)) && names_of[id].p && !walked[id]) walk(id, names_of[id], 0);
}

static void name_types(void) {
  names_of = alloc(type_count * sizeof(Str));
  aliases = alloc(type_count);
  u32 named = named_types();
  type_names = name_table(1, named + named / 4);  // and anonymous types named by their place
  value_names = name_table(0, 1024);
  name_tags();
  name_typedefs();
  name_field_types();
}

// ---- type text (type-text.ts) ----

static Str *texts;  // .p == 0: not worked out yet
static u32 *pending;
static u32 pending_count;

static Str integer(u32 size, int is_signed) {
  if (size == 16) return LIT("FixedArray<u64, 2>");
  Str name = int_type_name(size, is_signed);
  return name.p ? name : cat3(LIT("FixedArray<u8, "), number(size, 0), LIT(">"));
}

static int is_char(u32 id) {
  u32 t = underlying(id, 1);
  if (kind(t) != KIND_INT || size_of(t) != 1) return 0;
  if (int_encoding(t) & INT_CHAR) return 1;
  Str name = name_of_type(t);
  return str_eq_lit(name, "char") || str_eq_lit(name, "unsigned char") || str_eq_lit(name, "signed char");
}

static Str name_on_first_use(u32 id) {
  Str name = claim(&type_names, cat3(LIT("__anon_"), number(id, 0), LIT("")));
  names_of[id] = name;
  pending[pending_count++] = id;
  return name;
}

static Str text_of(u32 id, u32 depth);

static Str compute(u32 id, u32 depth) {
  switch (kind(id)) {
    case KIND_VOID:
      return LIT("void");
    case KIND_INT:
      if (int_encoding(id) & INT_BOOL) return LIT("boolean");
      return integer(size_of(id), (int_encoding(id) & INT_SIGNED) != 0);
    case KIND_FLOAT:
      return integer(size_of(id), 0);
    case KIND_PTR: {
      u32 target = underlying(ref(id), 1);
      if (kind(target) == KIND_FUNC_PROTO) return LIT("u64");
      return cat3(LIT("Ptr<"), text_of(ref(id), depth), LIT(">"));
    }
    case KIND_ARRAY: {
      u32 type = array_type(id), count = array_count(id);
      if (is_char(type) && count > 0) return cat3(LIT("Str<"), number(count, 0), LIT(">"));
      Str element = text_of(type, depth);
      return cat3(cat3(LIT("FixedArray<"), element, LIT(", ")), number(count, 0), LIT(">"));
    }
    case KIND_STRUCT:
    case KIND_UNION:
      return names_of[id].p ? names_of[id] : name_on_first_use(id);
    case KIND_ENUM:
    case KIND_ENUM64:
      return names_of[id].p ? names_of[id] : integer(size_of(id), kind_flag(id));
    case KIND_FWD:
    case KIND_TYPEDEF:
      if (names_of[id].p == 0) BAIL();  // an anonymous forward declaration: the reference fails on it
      return names_of[id];
    case KIND_CONST:
    case KIND_VOLATILE:
    case KIND_RESTRICT:
    case KIND_TYPE_TAG:
      return text_of(ref(id), depth);
    case KIND_FUNC_PROTO:
      return LIT("u64");
    default:
      return LIT("never");
  }
}

static Str text_of(u32 id, u32 depth) {
  if (texts[id].p) return texts[id];
  if (depth > MAX_DEPTH) BAIL();
  Str text = compute(id, depth + 1);
  texts[id] = text;
  return text;
}

// ---- the output ----

static char *out;
static u32 out_used, out_cap;

static void write_str(Str s) {
  if (out_used + s.n > out_cap) BAIL();  // more than foreseen: the reference grows its buffer
  copy(out + out_used, s.p, s.n);
  out_used += s.n;
}
#define WRITE(lit) write_str(LIT(lit))
static void write_number(u64 v) {
  char buf[24], *end = buf + sizeof buf;
  char *at = digits(v, end);
  write_str((Str){at, (u32)(end - at)});
}

// ---- declarations (declarations.ts) ----

static SeenNames seen;

static u32 int_bitfield(u32 type) {
  u32 t = underlying(type, 1);
  return kind(t) == KIND_INT && int_bits(t) != (u64)size_of(t) * 8 ? int_bits(t) : 0;  // in 64 bits, as the reference's doubles
}

static void field_head(u32 width, u64 bit_offset) {
  u32 first = bit_offset & 7;
  WRITE("  /** offset ");
  write_number(bit_offset >> 3);
  if (width != 0 || first != 0) {
    WRITE(" bytes, bits ");
    write_number(first);
    WRITE("..");
    write_number(first + (width > 1 ? width : 1) - 1);
    WRITE(" */\n  ");
  } else WRITE(" bytes */\n  ");
}

static void field(u32 name_at, u32 type, u64 bit_offset, i32 bitfield_size) {
  Str name = string_at(name_at);
  if (!seen_first(&seen, name)) return;
  u32 bitfield = bitfield_size >= 0 ? (u32)bitfield_size : int_bitfield(type);
  field_head(bitfield, bit_offset);
  write_property_name(name, identifier_at(name_at));
  WRITE(": ");
  write_str(text_of(type, 0));
  WRITE(";\n");
}

/** Btf.namedFields: the named fields, with those of anonymous members flattened in. */
static void named_fields(u32 id, u64 base, u32 depth) {
  if (depth > 64) BAIL();
  u32 info = words[starts[id] + 1];
  int flag = info >> 31;
  for (u32 i = 0, n = info & 0xffff, at = starts[id] + 3; i < n; i++, at += 3) {
    u32 placement = words[at + 2];
    u64 bit_offset = base + (flag ? placement & 0xffffff : placement);
    if (words[at] != 0) field(words[at], words[at + 1], bit_offset, flag ? (i32)(placement >> 24) : -1);
    else {
      u32 t = underlying(words[at + 1], 0);
      if (is_composite(kind(t))) named_fields(t, bit_offset, depth + 1);
    }
  }
}

static void composite(u32 id) {
  Str c_name = name_of_type(id);
  WRITE("/** ");
  write_str(kind(id) == KIND_STRUCT ? LIT("struct") : LIT("union"));
  WRITE(" ");
  write_str(c_name.n ? c_name : LIT("(anonymous)"));
  WRITE(": ");
  write_number(size_of(id));
  WRITE(" bytes */\nexport interface ");
  write_str(names_of[id]);
  WRITE(" {\n");
  seen_reset(&seen);
  named_fields(id, 0, 0);
  WRITE("}\n");
}

static void const_enum(u32 id) {
  WRITE("export declare const enum ");
  write_str(names_of[id]);
  WRITE(" {\n");
  seen_reset(&seen);
  for (u32 i = 0, n = vlen(id); i < n; i++) {
    u32 offset = words[enum_at(id, i)];
    Str name = string_at(offset);
    if (!seen_first(&seen, name)) continue;
    WRITE("  ");
    write_property_name(name, identifier_at(offset));
    WRITE(" = ");
    write_str(enum_value(id, i));
    WRITE(",\n");
  }
  WRITE("}\n");
}

/** An anonymous enum's members that become constants, as (enum id, member) pairs; written after the types. */
static u32 *constants;
static u32 constant_count;

static void enum_constants(u32 id) {
  text_of(id, 0);
  for (u32 i = 0, n = vlen(id); i < n; i++) {
    Str name = string_at(words[enum_at(id, i)]);
    if (!usable_value_name(name) || table_has(&value_names.taken, name)) continue;
    take(&value_names, name);
    constants[constant_count++] = id;
    constants[constant_count++] = i;
  }
}

static void write_constants(void) {
  for (u32 c = 0; c < constant_count; c += 2) {
    u32 id = constants[c], i = constants[c + 1];
    WRITE("/** = ");
    write_str(enum_value(id, i));
    WRITE(" */\nexport declare const ");
    write_str(string_at(words[enum_at(id, i)]));
    WRITE(": ");
    write_str(text_of(id, 0));
    WRITE(";\n");
  }
}

// ParameterText: a prototype's parameters as `name: T`, each name once.

static Str used_names[65536];
static u32 used_count;

/** Parameter i's name (ParameterText.parameter): BTF's, else argN, with `_` appended while taken. */
/**
 * Whether the string at `offset` may name a parameter (ParameterText.name), remembered by offset:
 * a vmlinux's 72,000 parameters have a few thousand names (skb, file, …), each at one offset.
 */
enum { USABLE_KEPT = 4096 };
static u32 usable_offset[USABLE_KEPT];  // offset + 1 of the string whose answer is kept
static u8 usable_answer[USABLE_KEPT];

static int usable_parameter_name(u32 offset, Str text) {
  u32 at = (offset * 0x9e3779b1u) >> 20;
  if (usable_offset[at] == offset + 1) return usable_answer[at];
  int usable = usable_value_name(text) && !str_eq_lit(text, "rest");
  usable_offset[at] = offset + 1, usable_answer[at] = (u8)usable;
  return usable;
}

static Str parameter_name(u32 proto, u32 i) {
  if (i == 0) used_count = 0;
  u32 offset = param_name_offset(proto, i);
  Str text = string_at(offset);
  Str name = usable_parameter_name(offset, text) ? text : cat3(LIT("arg"), number(i, 0), LIT(""));
  for (;;) {
    int taken = 0;
    for (u32 u = 0; u < used_count && !taken; u++) taken = str_eq(used_names[u], name);
    if (!taken) break;
    name = cat3(name, LIT("_"), LIT(""));
  }
  used_names[used_count++] = name;
  return name;
}

static int is_rest(u32 proto, u32 i) { return param_type(proto, i) == 0 && i == vlen(proto) - 1; }

/** Parameter i as `name: T` (C's `...` as `...rest: u64[]`), added to `out`; call for 0, 1, 2, … in turn. */
static void add_parameter(Builder *out, u32 proto, u32 i) {
  if (is_rest(proto, i)) {
    add(out, LIT("...rest: u64[]"));
    return;
  }
  Str name = parameter_name(proto, i);
  add(out, name), add(out, LIT(": ")), add(out, text_of(param_type(proto, i), 0));
}

/** How long parameter i's text may be: its name with every `_` it could get, and its type. */
static u32 parameter_room(u32 proto, u32 i) {
  return string_at(param_name_offset(proto, i)).n + 16 + i + text_of(param_type(proto, i), 0).n;
}

/** `(params): ret;\n` for a FUNC_PROTO. */
static Str signature_of(u32 proto) {
  u32 n = vlen(proto), room = 16;
  for (u32 i = 0; i < n; i++) room += parameter_room(proto, i) + 2;
  Str returns = text_of(ref(proto), 0);
  Builder out = scratch(room + returns.n);
  add(&out, LIT("("));
  for (u32 i = 0; i < n; i++) {
    if (i) add(&out, LIT(", "));
    add_parameter(&out, proto, i);
  }
  add(&out, LIT("): ")), add(&out, returns), add(&out, LIT(";\n"));
  return kept(built(&out));
}

/**
 * The lines of KernelFunctions written so far, by name: a name's last line, and each line's
 * previous one of the same name. The table holds line numbers only (4 bytes a slot, 512 kB for a
 * vmlinux's 56,000 names: each look is a cache miss, so the smaller the better); a slot's name is
 * its line's function's, told apart first by the hash kept with the line.
 */
typedef struct {
  u32 *slots;  // a name's last line + 1, or 0
  u32 cap;
  u32 *function, *proto, *hash, *previous;  // by line
  u32 count;
} Lines;

static Lines lines_for(u32 most) {
  u32 cap = 16;
  while (cap < 2 * most) cap *= 2;
  return (Lines){alloc(cap * sizeof(u32)), cap, alloc(most * sizeof(u32)), alloc(most * sizeof(u32)), alloc(most * sizeof(u32)), alloc(most * sizeof(u32)), 0};
}

/** The slot of the name `name` (hashed `hash`): where its last line is, or the empty one where it would go. */
static u32 *line_slot(const Lines *l, Str name, u32 hash) {
  u32 mask = l->cap - 1;
  for (u32 slot = hash & mask;; slot = (slot + 1) & mask) {
    u32 line = l->slots[slot];
    if (line == 0 || (l->hash[line - 1] == hash && str_eq(name_of_type(l->function[line - 1]), name))) return &l->slots[slot];
  }
}

static u32 write_function_signatures(void) {
  u32 functions = 0;
  for (u32 id = 1; id < type_count; id++) functions += kind(id) == KIND_FUNC;
  Str *signatures = alloc(type_count * sizeof(Str));
  Lines lines = lines_for(functions);
  for (u32 id = 1; id < type_count; id++) {
    if (kind(id) != KIND_FUNC) continue;
    u32 proto = ref(id);
    if (kind(proto) != KIND_FUNC_PROTO) continue;
    Str name = name_of_type(id);
    if (!is_identifier(name)) continue;
    if (signatures[proto].p == 0) signatures[proto] = signature_of(proto);
    Str signature = signatures[proto];
    u32 hash = str_hash(name);
    u32 *last = line_slot(&lines, name, hash);
    u32 line = *last;
    while (line != 0 && !str_eq(signatures[lines.proto[line - 1]], signature)) line = lines.previous[line - 1];
    if (line != 0) continue;  // the same name and signature again
    WRITE("    ");
    write_str(name);
    write_str(signature);
    u32 at = lines.count++;
    lines.function[at] = id, lines.proto[at] = proto, lines.hash[at] = hash, lines.previous[at] = *last;
    *last = at + 1;
  }
  return lines.count;
}

static const char RAW_TRACEPOINT_PREFIX[] = "btf_trace_";
static const char RAW_TRACEPOINT_CALLER[] = "__traceiter_";

/** rawTracepointArguments: `    event: { arg: T; … };\n`, or nothing without a prototype. */
static void write_raw_tracepoint(u32 typedef_id, Table *callers) {
  Str event = string_at(name_offset(typedef_id) + sizeof RAW_TRACEPOINT_PREFIX - 1);
  u32 caller = table_get(callers, event, 0);
  u32 proto = caller ? ref(caller) : 0;
  if (kind(proto) != KIND_FUNC_PROTO) {
    u32 ptr = underlying(ref(typedef_id), 0);
    proto = kind(ptr) == KIND_PTR ? underlying(ref(ptr), 0) : 0;
  }
  if (kind(proto) != KIND_FUNC_PROTO || vlen(proto) == 0) return;
  WRITE("    ");
  write_property_name(event, is_identifier(event));
  WRITE(": { ");
  for (u32 i = 0, n = vlen(proto); i < n; i++) {  // all named in turn: the first's name is taken too
    Builder each = scratch(parameter_room(proto, i));
    add_parameter(&each, proto, i);
    if (i) write_str(built(&each)), WRITE("; ");
  }
  WRITE("};\n");
}

static u32 counts[5];  // structs, unions, enums, typedefs, functions

/**
 * The module for the BTF copied in (words, each type's start and kind, the string section):
 * `head` (its header and import line), then the body. `lists`: three lists of NUL-terminated
 * names, each ended by an empty one (names taken from the start, reserved words, predefined
 * types' names). Returns the module's length; module() and count() give it and the counts.
 */
EXPORT(declare) u32 declare(const u32 *type_words, u32 word_count, const u32 *type_starts, const u8 *type_kinds, u32 count, const char *string_section, u32 string_length, const char *lists, const char *head, u32 head_length) {
  words = type_words, starts = type_starts, kinds = type_kinds, type_count = count, strings = string_section;
  out_cap = 2 * (4 * word_count + string_length) + 4096 + head_length;
  out = alloc(out_cap);
  write_str((Str){head, head_length});
  Table *each_list[] = {&initial_names, &reserved_words, &predefined_types};
  for (u32 l = 0; l < 3; l++) {
    *each_list[l] = table(64);
    for (Str name; (name = c_string(lists)).n; lists += name.n + 1) table_set(each_list[l], name, 1);
    lists++;
  }
  name_types();
  texts = alloc(count * sizeof(Str));
  pending = alloc(count * sizeof(u32));
  constants = alloc(2 * word_count * sizeof(u32) + 8);
  seen = seen_names(1024);
  u32 *raw_tracepoints = alloc(count * sizeof(u32));
  u32 raw_count = 0;
  int has_task = 0;
  for (u32 id = 1; id < count; id++) {
    switch (kind(id)) {
      case KIND_STRUCT:
      case KIND_UNION:
        if (names_of[id].p == 0) break;  // anonymous: flattened, or declared when first used
        composite(id);
        if (kind(id) == KIND_STRUCT) {
          counts[0]++;
          has_task = has_task || str_eq_lit(name_of_type(id), "task_struct");
        } else counts[1]++;
        break;
      case KIND_FWD:
        if (aliases[id]) break;
        if (names_of[id].p == 0) BAIL();
        WRITE("/** ");
        write_str(kind_flag(id) ? LIT("union") : LIT("struct"));
        WRITE(" ");
        write_str(name_of_type(id));
        WRITE(": declared, never defined in this BTF */\nexport interface ");
        write_str(names_of[id]);
        WRITE(" {}\n");
        break;
      case KIND_ENUM:
      case KIND_ENUM64:
        if (names_of[id].p == 0) enum_constants(id);
        else if (!aliases[id]) {
          const_enum(id);
          counts[2]++;
        }
        break;
      case KIND_TYPEDEF:
        if (name_starts_with(id, RAW_TRACEPOINT_PREFIX)) raw_tracepoints[raw_count++] = id;
        if (aliases[id]) break;
        WRITE("export type ");
        write_str(names_of[id]);
        WRITE(" = ");
        write_str(text_of(ref(id), 0));
        WRITE(";\n");
        counts[3]++;
        break;
    }
  }
  for (u32 i = 0; i < pending_count; i++) composite(pending[i]);
  write_constants();
  WRITE("declare module \"tsbpf\" {\n  interface KernelFunctions {\n");
  counts[4] = write_function_signatures();
  Table callers = table(1024);
  for (u32 id = 1; id < count; id++)
    if (kind(id) == KIND_FUNC && name_starts_with(id, RAW_TRACEPOINT_CALLER))
      table_set(&callers, string_at(name_offset(id) + sizeof RAW_TRACEPOINT_CALLER - 1), id);
  WRITE("  }\n");
  if (has_task) WRITE("  interface KernelTypes {\n    task_struct: task_struct;\n  }\n");
  u32 before = out_used;
  WRITE("  interface RawTracepointArguments {\n");
  u32 opened = out_used;
  for (u32 i = 0; i < raw_count; i++) write_raw_tracepoint(raw_tracepoints[i], &callers);
  if (out_used == opened) out_used = before;  // none had arguments: no interface
  else WRITE("  }\n");
  WRITE("}\n");
  return out_used;
}

EXPORT(module) const char *module(void) { return out; }
EXPORT(count) u32 count_of(u32 which) { return which < 5 ? counts[which] : 0; }
